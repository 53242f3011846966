/// The live dashboard served at `GET /`: one self-contained page (HTML, CSS and the script that draws
/// the charts), embedded in the binary so the executable alone serves it. No build step, no CDN, no
/// external font or script: it loads nothing but `/events` (Server-Sent Events, `EventPublisher`).
///
/// English and Portuguese (Brazil): `<html lang>` (set by the server from `Accept-Language` or
/// `?lang=`) chooses the strings (`data-i18n`), and numbers, money and times follow that locale.
///
/// Test hooks: the figures carry stable ids and data attributes (`data-figure`, `data-window` with
/// `data-field`/`data-currency`/`data-channel`/`data-country`, `data-alert-id`), and
/// `body[data-stats-generated-at]` names the `/stats` document on show.
enum DashboardPage {
    static let html = ##"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Transaction gateway · live</title>
        <style>
        \##(PageStyle.header)
          main { display: grid; grid-template-columns: minmax(0, 1fr) 370px; gap: 14px; padding: 14px 20px 20px; }
          .col { display: flex; flex-direction: column; gap: 14px; min-width: 0; }
          .panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
          .panel h2 { font-size: 12px; font-weight: 600; color: var(--muted); text-transform: uppercase; letter-spacing: .6px; margin: 0 0 8px; }
          .kpis { display: grid; grid-template-columns: repeat(5, minmax(0, 1fr)); gap: 14px; }
          .kpi .value { font-size: 24px; font-weight: 600; margin-top: 2px; white-space: nowrap; }
          .kpi .unit { font-size: 13px; color: var(--muted); font-weight: 400; margin-left: 3px; }
          .kpi .note { color: var(--muted); font-size: 12px; margin-top: 2px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
          .charts { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; }
          .chart svg { display: block; width: 100%; height: 150px; }
          .legend { display: flex; gap: 14px; color: var(--muted); font-size: 12px; margin-top: 4px; }
          .legend i { display: inline-block; width: 14px; height: 3px; border-radius: 2px; vertical-align: middle; margin-right: 5px; }
          table { width: 100%; border-collapse: collapse; }
          th, td { padding: 4px 8px; text-align: right; white-space: nowrap; }
          th:first-child, td:first-child { text-align: left; }
          thead th { color: var(--muted); font-weight: 500; font-size: 12px; border-bottom: 1px solid var(--line); }
          tbody tr + tr td { border-top: 1px solid #1e262e; }
          td.label { color: var(--text); }
          td .count { color: var(--muted); font-size: 11px; margin-left: 6px; }
          tr.section td { color: var(--muted); font-size: 11px; text-transform: uppercase; letter-spacing: .5px; padding-top: 10px; border-top: none; }
          .compact th, .compact td { padding: 3px 5px; }
          .compact td.label { width: 40%; max-width: 130px; overflow: hidden; text-overflow: ellipsis; }
          /* The label's share of the widest window, as a bar behind it. */
          td.bar { position: relative; }
          td.bar::before { content: ""; position: absolute; left: 0; top: 3px; bottom: 3px; width: var(--share, 0%);
            background: rgba(79, 179, 217, .14); border-radius: 2px; }
          td.bar span { position: relative; }
          .empty { color: var(--muted); padding: 8px 0; }
          .alerts ol { list-style: none; margin: 0; padding: 0; }
          .alerts li { padding: 6px 0 6px 8px; border-top: 1px solid var(--line); border-left: 2px solid transparent; }
          .alerts li:first-child { border-top: none; }
          .alerts .top { display: flex; gap: 8px; align-items: baseline; }
          .alerts .rule { font-weight: 600; }
          .alerts .when { margin-left: auto; color: var(--muted); font-size: 12px; }
          .alerts .what { color: var(--muted); font-size: 12px; margin-top: 1px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
          .sev { font-size: 10px; font-weight: 700; text-transform: uppercase; letter-spacing: .5px; padding: 1px 6px; border-radius: 3px; color: #0f1419; }
          .sev.high { background: var(--high); } .sev.medium { background: var(--medium); } .sev.low { background: var(--low); }
          .alerts li.fresh { animation: fresh 3s ease-out; }
          .notices { padding: 0 20px; }
          .notice { margin-top: 12px; padding: 9px 14px; border-radius: 8px; border: 1px solid var(--line); }
          .notice.warning { border-color: var(--high); background: rgba(229, 104, 107, .12); }
          .notice.info { border-color: var(--accent); background: rgba(79, 179, 217, .10); }
          @keyframes fresh { from { border-left-color: var(--accent2); } to { border-left-color: transparent; } }
        </style>
        </head>
        <body>
        <header>
          <h1 data-i18n="title">Transaction gateway</h1>
          <span class="sub" data-i18n="subtitle">live · updated every second</span>
          <nav>
            <a id="to-cluster" href="cluster.html" data-i18n="clusterView">Kafka cluster</a>
            <span class="lang"><a href="?lang=en" data-lang="en">EN</a>|<a href="?lang=pt-BR" data-lang="pt-BR">PT-BR</a></span>
            <span class="status"><span id="status-dot" class="dot"></span><span id="status" data-i18n="connecting">connecting…</span></span>
          </nav>
        </header>
        <div id="notices" class="notices" aria-live="polite"></div>
        <main>
          <div class="col">
            <section class="kpis">
              <div class="panel kpi"><h2 data-i18n="ingest">Ingest</h2><div class="value num"><span id="kpi-rate" data-figure="requests_per_second">–</span><span class="unit">req/s</span></div><div class="note num" id="kpi-rate-note">&nbsp;</div></div>
              <div class="panel kpi"><h2 data-i18n="p50">Latency p50</h2><div class="value num"><span id="kpi-p50" data-figure="p50_ms">–</span><span class="unit">ms</span></div><div class="note num" id="kpi-p90">&nbsp;</div></div>
              <div class="panel kpi"><h2 data-i18n="p99">Latency p99</h2><div class="value num"><span id="kpi-p99" data-figure="p99_ms">–</span><span class="unit">ms</span></div><div class="note num" id="kpi-max">&nbsp;</div></div>
              <div class="panel kpi"><h2 data-i18n="transactions">Transactions</h2><div class="value num"><span id="kpi-total" data-figure="total_count">–</span></div><div class="note num" id="kpi-total-note">&nbsp;</div></div>
              <div class="panel kpi"><h2 data-i18n="alerts">Alerts</h2><div class="value num"><span id="kpi-alerts" data-figure="alerts_seen">0</span></div><div class="note" id="kpi-alerts-note" data-i18n="receivedByPage">received by this page</div></div>
            </section>
            <section class="charts">
              <div class="panel chart"><h2 data-i18n="rateChart">Requests per second · last 5 minutes</h2><svg id="chart-rate" viewBox="0 0 400 150" preserveAspectRatio="none" role="img" aria-label="requests per second"></svg>
                <div class="legend"><span><i style="background: var(--accent)"></i>POST /transactions</span><span><i style="background: var(--high)"></i><span data-i18n="errors">errors</span></span></div></div>
              <div class="panel chart"><h2 data-i18n="latencyChart">Latency · last 5 minutes</h2><svg id="chart-latency" viewBox="0 0 400 150" preserveAspectRatio="none" role="img" aria-label="latency"></svg>
                <div class="legend"><span><i style="background: var(--accent)"></i>p50</span><span><i style="background: var(--accent2)"></i>p99</span></div></div>
            </section>
            <section class="panel">
              <h2><span data-i18n="windowsTitle">Rolling statistics by window</span> <span id="watermark" class="sub" style="text-transform:none;letter-spacing:0;font-weight:400"></span></h2>
              <table id="windows"><thead></thead><tbody></tbody></table>
              <div id="windows-empty" class="empty" data-i18n="waiting">Waiting for statistics…</div>
            </section>
            <section class="panel" id="webhooks-panel" style="display:none"><h2>Alert webhook endpoints</h2><table id="webhooks"><thead><tr><th>endpoint</th><th>circuit</th><th class="num">delivered</th><th class="num">failed attempts</th><th class="num">dead-lettered</th><th class="num">backlog</th></tr></thead><tbody></tbody></table></section>
          </div>
          <div class="col">
            <section class="panel alerts"><h2 data-i18n="alertsTitle">Newest alerts</h2><ol id="alerts"></ol><div id="alerts-empty" class="empty" data-i18n="noAlerts">No alerts yet.</div></section>
            <section class="panel compact"><h2 data-i18n="channels">Channels</h2><table id="channels"><thead></thead><tbody></tbody></table></section>
            <section class="panel compact"><h2 data-i18n="countries">Countries</h2><table id="countries"><thead></thead><tbody></tbody></table></section>
          </div>
        </main>
        <script>
        "use strict";
        (function () {
          // Calm at full traffic: a few newest alerts, a fixed 5-minute chart, one repaint per second.
          const HISTORY_SECONDS = 300, ALERTS_SHOWN = 6;
          const samples = [];           // ingest samples, oldest first
          const alerts = [];            // newest first
          const seenAlerts = new Set();
          let alertsSeen = 0, stats = null, dirty = {};
          const $ = (id) => document.getElementById(id);
          const STRINGS = {
            "en": {
              title: "Transaction gateway", subtitle: "live · updated every second", clusterView: "Kafka cluster",
              connecting: "connecting…", live: "live", reconnecting: "reconnecting…", disconnected: "disconnected (reload to retry)",
              ingest: "Ingest", p50: "Latency p50", p99: "Latency p99", transactions: "Transactions", alerts: "Alerts",
              receivedByPage: "received by this page", rateChart: "Requests per second · last 5 minutes", errors: "errors",
              latencyChart: "Latency · last 5 minutes", windowsTitle: "Rolling statistics by window", waiting: "Waiting for statistics…",
              alertsTitle: "Newest alerts", noAlerts: "No alerts yet.", channels: "Channels", countries: "Countries",
              idle: "idle", refused: "refused/s", accepted: "% accepted", perSecond: "Per second",
              amountByCurrency: "Amount by currency (sum · count)", eventTime: "event time", late: "late", inTheLast: "in the last",
              sinceStart: "since start", scale: "scale", nowAtRight: "now at the right", channel: "channel", country: "country"
            },
            "pt-BR": {
              title: "Gateway de transações", subtitle: "ao vivo · atualizado a cada segundo", clusterView: "Cluster Kafka",
              connecting: "conectando…", live: "ao vivo", reconnecting: "reconectando…", disconnected: "desconectado (recarregue para tentar de novo)",
              ingest: "Ingestão", p50: "Latência p50", p99: "Latência p99", transactions: "Transações", alerts: "Alertas",
              receivedByPage: "recebidos por esta página", rateChart: "Requisições por segundo · últimos 5 minutos", errors: "erros",
              latencyChart: "Latência · últimos 5 minutos", windowsTitle: "Estatísticas móveis por janela", waiting: "Aguardando estatísticas…",
              alertsTitle: "Alertas mais recentes", noAlerts: "Nenhum alerta ainda.", channels: "Canais", countries: "Países",
              idle: "ocioso", refused: "recusadas/s", accepted: "% aceitas", perSecond: "Por segundo",
              amountByCurrency: "Valor por moeda (soma · quantidade)", eventTime: "tempo do evento", late: "atrasadas", inTheLast: "nos últimos",
              sinceStart: "desde o início", scale: "escala", nowAtRight: "agora à direita", channel: "canal", country: "país"
            }
          };
          const lang = document.documentElement.lang === "pt-BR" ? "pt-BR" : "en";
          const locale = lang === "pt-BR" ? "pt-BR" : "en-US";
          const T = STRINGS[lang];
          for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = T[node.dataset.i18n];
          for (const a of document.querySelectorAll("[data-lang]")) if (a.dataset.lang === lang) a.className = "on";
          $("to-cluster").href = "cluster.html?lang=" + lang;

          const integer = (n) => Number(n).toLocaleString(locale);
          const decimal = (n, digits) => n == null ? "–" : Number(n).toLocaleString(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits });
          const rate = (n) => n == null ? "–" : (n >= 100 ? integer(Math.round(n)) : decimal(n, 1));
          const ms = (n) => n == null ? "–" : (n >= 100 ? integer(Math.round(n)) : decimal(n, n >= 10 ? 1 : 2));
          // An exact decimal string from /stats, grouped by thousands without passing through a float
          // (in Portuguese: "." groups, "," separates the fraction).
          const exact = (text) => {
            if (text == null) return "–";
            const [whole, fraction] = String(text).split(".");
            const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, lang === "pt-BR" ? "." : ",");
            return fraction === undefined ? grouped : grouped + (lang === "pt-BR" ? "," : ".") + fraction;
          };
          // A sum of money: in Portuguese with the currency's symbol (R$ 1.234,56, Intl), in English as before.
          const money = (text, currency) => {
            if (text == null) return "–";
            if (lang !== "pt-BR" || currency === "other") return exact(text);
            try { return new Intl.NumberFormat(locale, { style: "currency", currency: currency }).format(Number(text)); }
            catch (e) { return exact(text); }
          };
          const el = (tag, attrs, text) => {
            const node = document.createElement(tag);
            for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
            if (text !== undefined) node.textContent = text;
            return node;
          };
          const clock = (iso) => iso ? new Date(iso).toLocaleTimeString(lang === "pt-BR" ? "pt-BR" : "en-GB", { hour12: false }) : "";

          function schedule(part) {
            const idle = Object.keys(dirty).length === 0;
            dirty[part] = true;
            if (idle) setTimeout(render, 40);   // coalesce a burst of events into one repaint
          }

          function render() {
            const parts = dirty; dirty = {};
            if (parts.ingest) { renderKpis(); renderCharts(); }
            if (parts.stats) renderStats();
            if (parts.alerts) renderAlerts();
            if (parts.webhooks) renderWebhooks();
          }

          // ---- webhook endpoints: one row each, the circuit's state as its health ----
          let webhooks = null;
          function renderWebhooks() {
            $("webhooks-panel").style.display = webhooks.endpoints.length ? "" : "none";
            $("webhooks").tBodies[0].replaceChildren(...webhooks.endpoints.map((w) => {
              const row = el("tr", { "data-endpoint": w.endpoint, "data-circuit": w.circuit });
              row.appendChild(el("td", { title: w.endpoint }, w.endpoint));
              const circuit = el("td");
              circuit.appendChild(el("span", { class: "sev " + (w.circuit === "closed" ? "low" : "high") }, w.circuit.replace("_", "-")));
              row.appendChild(circuit);
              for (const field of ["delivered", "failed", "dead_lettered", "backlog"]) {
                row.appendChild(el("td", { class: "num", "data-field": field }, integer(w[field])));
              }
              return row;
            }));
          }

          // ---- ingest: figures and charts ----
          function renderKpis() {
            const last = samples[samples.length - 1];
            if (!last) return;
            $("kpi-rate").textContent = rate(last.requests_per_second);
            const refused = last.refused_per_second + last.failed_per_second;
            $("kpi-rate-note").textContent = last.requests_per_second > 0
              ? (refused > 0 ? rate(refused) + " " + T.refused + " · " : "") + decimal(100 * last.accepted_per_second / last.requests_per_second, 1) + " " + T.accepted
              : T.idle;
            $("kpi-p50").textContent = ms(last.p50_ms);
            $("kpi-p99").textContent = ms(last.p99_ms);
            $("kpi-p90").textContent = last.p90_ms == null ? T.idle : "p90 " + ms(last.p90_ms) + " ms";
            $("kpi-max").textContent = last.max_ms == null ? "\u00a0" : "max " + ms(last.max_ms) + " ms";
          }

          function niceMax(value) {
            if (!(value > 0)) return 1;
            const step = Math.pow(10, Math.floor(Math.log10(value)));
            for (const m of [1, 2, 2.5, 5, 10]) if (value <= m * step) return m * step;
            return 10 * step;
          }

          // The scale: the largest value, or with `robust` the 95th percentile of the values (a lone spike
          // would flatten five minutes of lines; it is drawn clipped at the top instead).
          function scaleOf(series, robust) {
            const values = [];
            for (const s of series) for (const p of s.points) if (p[1] != null) values.push(p[1]);
            if (!values.length) return 1;
            values.sort((a, b) => a - b);
            const top = robust ? values[Math.floor(0.95 * (values.length - 1))] * 1.5 : values[values.length - 1] * 1.1;
            return niceMax(Math.min(top, values[values.length - 1] * 1.1));
          }

          function drawChart(svg, series, unit) {
            const W = 400, H = 150, left = 0, top = 8, bottom = 16;
            const now = samples.length ? Date.parse(samples[samples.length - 1].at) : Date.now();
            const x = (t) => W * (1 - (now - t) / (HISTORY_SECONDS * 1000));
            const max = scaleOf(series, unit === "ms");
            const y = (v) => top + (H - top - bottom) * (1 - Math.min(v, max) / max);
            const parts = [];
            for (const f of [0, 0.5, 1]) {
              const gy = y(max * f).toFixed(1);
              parts.push(`<line x1="0" x2="${W}" y1="${gy}" y2="${gy}" stroke="#263039" stroke-width="1" vector-effect="non-scaling-stroke"/>`);
            }
            for (const s of series) {
              let d = "", pen = false, first = null, lastX = 0;
              s.points.forEach(([t, v], i) => {   // a point with no neighbour is drawn as a dot
                const near = (j) => j >= 0 && j < s.points.length && s.points[j][1] != null;
                if (v != null && !near(i - 1) && !near(i + 1)) {
                  parts.push(`<rect x="${(x(t) - 1.5).toFixed(1)}" y="${(y(v) - 1.5).toFixed(1)}" width="3" height="3" fill="${s.color}"/>`);
                }
              });
              for (const [t, v] of s.points) {
                if (v == null) { pen = false; continue; }
                const px = x(t).toFixed(1), py = y(v).toFixed(1);
                d += (pen ? "L" : "M") + px + " " + py;
                if (first === null) first = px;
                lastX = px; pen = true;
              }
              if (!d) continue;
              if (s.fill) parts.push(`<path d="${d}L${lastX} ${H - bottom}L${first} ${H - bottom}Z" fill="${s.color}" fill-opacity="0.12" stroke="none"/>`);
              parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.8" stroke-linejoin="round" vector-effect="non-scaling-stroke"/>`);
            }
            svg.innerHTML = parts.join("");
            const label = svg.parentNode.querySelector(".axis") || svg.parentNode.insertBefore(el("div", { class: "axis legend num" }), svg.nextSibling);
            label.textContent = T.scale + " 0 – " + (unit === "ms" ? ms(max) + " ms" : rate(max) + " req/s") + " · " + T.nowAtRight;
          }

          function renderCharts() {
            const at = samples.map((s) => Date.parse(s.at));
            drawChart($("chart-rate"), [
              { color: "#4fb3d9", fill: true, points: samples.map((s, i) => [at[i], s.requests_per_second]) },
              { color: "#e5686b", points: samples.map((s, i) => [at[i], s.refused_per_second + s.failed_per_second]) },
            ], "req/s");
            drawChart($("chart-latency"), [
              { color: "#4fb3d9", points: samples.map((s, i) => [at[i], s.p50_ms]) },
              { color: "#e8b04a", points: samples.map((s, i) => [at[i], s.p99_ms]) },
            ], "ms");
          }

          // ---- statistics per window ----
          function windowsOf(doc) {
            const list = Object.keys(doc.windows || {}).map((label) => doc.windows[label]);
            list.sort((a, b) => (a.length_seconds || 0) - (b.length_seconds || 0));
            list.push(doc.total);
            return list;
          }

          function header(table, windows, first) {
            const row = el("tr");
            row.appendChild(el("th", {}, first));
            for (const w of windows) row.appendChild(el("th", {}, w.label));
            table.tHead.replaceChildren(row);
          }

          // Rows for the keys of one breakdown (channels, countries), largest in the widest window first.
          function breakdown(table, windows, field, attr) {
            const widest = windows[windows.length - 1];
            const keys = new Set();
            for (const w of windows) for (const k of Object.keys(w[field] || {})) keys.add(k);
            const order = [...keys].sort((a, b) => {
              const rank = (k) => (k === "other" || k === "unknown") ? 1 : 0;
              return rank(a) - rank(b) || ((widest[field] || {})[b] || 0) - ((widest[field] || {})[a] || 0) || a.localeCompare(b);
            });
            header(table, windows, field === "by_channel" ? T.channel : T.country);
            const body = [];
            for (const key of order) {
              const row = el("tr");
              const label = el("td", { class: "label bar", title: key });
              const share = widest.count ? ((widest[field] || {})[key] || 0) / widest.count : 0;
              label.style.setProperty("--share", Math.round(100 * share) + "%");
              label.appendChild(el("span", {}, key));
              row.appendChild(label);
              for (const w of windows) {
                const value = (w[field] || {})[key] || 0;
                row.appendChild(el("td", { class: "num", "data-window": w.label, [attr]: key, "data-field": "count" }, integer(value)));
              }
              body.push(row);
            }
            table.tBodies[0].replaceChildren(...body);
          }

          function renderStats() {
            if (!stats) return;
            const windows = windowsOf(stats);
            const table = $("windows");
            header(table, windows, "");
            const rows = [];
            const line = (label, cells) => {
              const row = el("tr");
              row.appendChild(el("td", { class: "label" }, label));
              for (const c of cells) row.appendChild(c);
              rows.push(row);
            };
            line(T.transactions, windows.map((w) => el("td", { class: "num", "data-window": w.label, "data-field": "count" }, integer(w.count))));
            line(T.perSecond, windows.map((w) => el("td", { class: "num", "data-window": w.label, "data-field": "rate_per_second" }, decimal(w.rate_per_second, 2))));
            const currencies = new Set();
            for (const w of windows) for (const c of Object.keys(w.currencies || {})) currencies.add(c);
            const section = el("tr", { class: "section" });
            section.appendChild(el("td", { colspan: String(windows.length + 1) }, T.amountByCurrency));
            if (currencies.size) rows.push(section);
            for (const code of [...currencies].sort((a, b) => (a === "other") - (b === "other") || a.localeCompare(b))) {
              line(code, windows.map((w) => {
                const c = (w.currencies || {})[code];
                const cell = el("td", { class: "num", "data-window": w.label, "data-currency": code });
                cell.appendChild(el("span", { "data-field": "sum" }, c ? money(c.sum, code) : "–"));
                cell.appendChild(el("span", { class: "count", "data-field": "count" }, c ? integer(c.count) : "0"));
                return cell;
              }));
            }
            table.tBodies[0].replaceChildren(...rows);
            $("windows-empty").style.display = "none";
            $("watermark").textContent = stats.window_end ? "· " + T.eventTime + " " + clock(stats.window_end) + (stats.late ? " · " + integer(stats.late) + " " + T.late : "") : "";
            breakdown($("channels"), windows, "by_channel", "data-channel");
            breakdown($("countries"), windows, "by_country", "data-country");
            $("kpi-total").textContent = integer(stats.total.count);
            const shortest = windows[0];
            $("kpi-total-note").textContent = shortest && shortest !== stats.total ? integer(shortest.count) + " " + T.inTheLast + " " + shortest.label : T.sinceStart;
            renderNotices();
            document.body.dataset.statsGeneratedAt = stats.generated_at;
          }

          // What makes the figures above less than the whole stream (see /stats in openapi.yaml).
          function renderNotices() {
            const notices = [];
            if (stats.complete === false) {
              const parts = (stats.skipped || []).map((p) => "partition " + p.partition + ": " + integer(p.records)).join(", ");
              notices.push(["warning", "skipped", "Incomplete: the monitor skipped " + integer(stats.skipped_records) +
                " records the cluster no longer had (" + parts + "); statistics and alerts miss them."]);
            }
            const group = stats.group;
            if (group && group.state === "joining") {
              const waiting = group.waiting_partitions || [];
              notices.push(["info", "joining", "The monitor is joining its consumer group (" + group.consumers_joined + " of " +
                group.consumers + " consumers so far)" + (waiting.length ? "; partitions " + waiting.join(", ") + " are not read yet" : "") +
                ". Transactions sent now appear here once it has joined, in a few seconds."]);
            }
            const pressure = stats.backpressure;
            if (pressure && pressure.active) {
              notices.push(["warning", "backpressure", "Ingestion paused: the monitor is " + integer(pressure.monitor_lag) +
                " records behind" + (pressure.partition == null ? "" : " on partition " + pressure.partition) + " (bound " +
                integer(pressure.max_monitor_lag) + "); POST /transactions answers 503 until it catches up."]);
            }
            $("notices").replaceChildren(...notices.map(([kind, name, text]) => el("div", { class: "notice " + kind, "data-notice": name }, text)));
          }

          // ---- alerts ----
          function renderAlerts() {
            const list = $("alerts");
            const mark = freshInBurst <= 2;   // under a storm of alerts nothing blinks
            freshInBurst = 0;
            const items = alerts.slice(0, ALERTS_SHOWN).map((a) => {
              const item = el("li", { "data-alert-id": a.id, "data-rule": a.rule, "data-account": a.account_id });
              if (a.fresh && mark) item.className = "fresh";
              a.fresh = false;
              const top = el("div", { class: "top" });
              top.appendChild(el("span", { class: "sev " + a.severity }, a.severity));
              top.appendChild(el("span", { class: "rule" }, a.rule.replace(/_/g, " ")));
              top.appendChild(el("span", { class: "when num" }, clock(a.detected_at)));
              item.appendChild(top);
              item.appendChild(el("div", { class: "what num", title: a.reason }, a.account_id + " · " + money(a.amount, a.currency) + (lang === "pt-BR" ? "" : " " + a.currency) + " · " + a.reason));
              return item;
            });
            list.replaceChildren(...items);
            $("alerts-empty").style.display = alerts.length ? "none" : "";
            $("kpi-alerts").textContent = integer(alertsSeen);
          }

          // ---- the stream ----
          let welcomed = false, freshInBurst = 0;
          function connect() {
            const source = new EventSource("events");
            source.onopen = () => { $("status-dot").className = "dot live"; $("status").textContent = T.live; };
            source.onerror = () => {
              $("status-dot").className = "dot down";
              $("status").textContent = source.readyState === EventSource.CLOSED ? T.disconnected : T.reconnecting;
            };
            source.addEventListener("ingest", (e) => {
              for (const s of JSON.parse(e.data).samples) {
                if (samples.length && samples[samples.length - 1].at >= s.at) continue;
                samples.push(s);
              }
              if (samples.length > HISTORY_SECONDS) samples.splice(0, samples.length - HISTORY_SECONDS);
              schedule("ingest");
            });
            source.addEventListener("stats", (e) => { stats = JSON.parse(e.data); schedule("stats"); });
            source.addEventListener("webhooks", (e) => { webhooks = JSON.parse(e.data); schedule("webhooks"); });
            source.addEventListener("alert", (e) => {
              const a = JSON.parse(e.data);
              if (seenAlerts.has(a.id)) return;
              seenAlerts.add(a.id);
              alertsSeen += 1;
              a.fresh = welcomed;
              freshInBurst += welcomed ? 1 : 0;
              alerts.push(a);
              alerts.sort((x, y) => (y.detected_at > x.detected_at) - (y.detected_at < x.detected_at));
              if (alerts.length > 200) alerts.length = 200;
              schedule("alerts");
            });
            setTimeout(() => { welcomed = true; }, 1500);
          }
          connect();
        })();
        </script>
        </body>
        </html>
        """##
}
