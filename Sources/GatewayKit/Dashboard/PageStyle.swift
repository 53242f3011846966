/// The look the dashboard and the cluster view share (colours, type, the header with its language
/// switch and live dot), interpolated into both pages' `<style>`.
enum PageStyle {
    static let header = """
          :root {
            --bg: #0f1419; --panel: #171d24; --line: #263039; --text: #d8dee6; --muted: #8593a3;
            --accent: #4fb3d9; --accent2: #e8b04a; --good: #5cc98a; --high: #e5686b; --medium: #e8b04a; --low: #7d8fa3;
          }
          * { box-sizing: border-box; }
          html, body { margin: 0; background: var(--bg); color: var(--text);
            font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
          .num { font-variant-numeric: tabular-nums; }
          header { display: flex; align-items: baseline; gap: 16px; padding: 14px 20px 10px; border-bottom: 1px solid var(--line); }
          header h1 { font-size: 17px; font-weight: 600; margin: 0; letter-spacing: .2px; }
          header .sub { color: var(--muted); }
          header nav { margin-left: auto; display: flex; gap: 12px; align-items: baseline; }
          header nav a { color: var(--accent); text-decoration: none; }
          header nav .lang a { color: var(--muted); padding: 0 3px; }
          header nav .lang a.on { color: var(--text); font-weight: 600; }
          header .status { color: var(--muted); display: flex; align-items: center; gap: 8px; }
          .dot { width: 9px; height: 9px; border-radius: 50%; background: var(--muted); display: inline-block; }
          .dot.live { background: var(--good); } .dot.down { background: var(--high); }
        """
}
