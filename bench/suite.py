#!/usr/bin/env python3
"""The benchmark suite (run through bench/suite.sh, which builds first).

Each case runs against the gateway (`gateway serve`, monitor on, the cluster in its own `gateway
kafka` process) and against nginx-light answering a static 202, with the same wrk settings in the
same run, so ratios to nginx mean something on a shared, noisy machine. Writes bench/RESULTS-suite.md
(bench/RESULTS.md keeps the runs worth keeping, by topic).

Durations come from the environment (see bench/suite.sh): SUITE_DURATION, SUITE_WARMUP,
SUITE_OPEN_DURATION, SUITE_REPS, SUITE_LABEL, SUITE_BIN (a directory holding gateway and txgen
built from this commit elsewhere; suite.sh then skips its build).
"""
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("SUITE_BIN") or os.path.join(ROOT, ".build", "release")
DURATION = os.environ.get("SUITE_DURATION", "10s")
WARMUP = os.environ.get("SUITE_WARMUP", "3s")
OPEN_DURATION = os.environ.get("SUITE_OPEN_DURATION", "10s")
REPS = int(os.environ.get("SUITE_REPS", "3"))
LABEL = os.environ.get("SUITE_LABEL", "")
# SUITE_OUT: where to write the table (default bench/RESULTS-suite.md), e.g. for a baseline build's run.
GATEWAY_PORT, NGINX_PORT = 18180, 18181
GATEWAY = f"http://127.0.0.1:{GATEWAY_PORT}"
NGINX = f"http://127.0.0.1:{NGINX_PORT}"
HZ = os.sysconf("SC_CLK_TCK")

work = tempfile.mkdtemp(prefix="suite-")
children = []


def log(message):
    print(message, file=sys.stderr, flush=True)


def seconds(text):
    """wrk's durations: 104.00us, 1.23ms, 2.00s, 1.5m."""
    for unit, scale in (("us", 1e-6), ("ms", 1e-3), ("m", 60.0), ("s", 1.0)):
        if text.endswith(unit):
            return float(text[:-len(unit)]) * scale
    return float(text)


def start(args, stdout, env=None):
    process = subprocess.Popen(args, stdout=stdout, stderr=subprocess.STDOUT if stdout != subprocess.PIPE else open(os.path.join(work, os.path.basename(args[0]) + ".err"), "w"), env=env)
    children.append(process)
    return process


def stop_all():
    for process in reversed(children):
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def wait_ready(url, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except Exception:
            time.sleep(0.2)
    raise SystemExit(f"not ready: {url}")


def wait_monitor_caught_up(base, timeout=60):
    """After a load, the monitor may trail by more than --max-monitor-lag, and POST /transactions then
    answers 503 at once: a latency case must wait until ingestion is open again, or it times refusals."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(base + "/stats", timeout=2) as answer:
                status = json.load(answer)
                if not (status.get("backpressure") or {}).get("active", False):
                    return
        except Exception:
            pass
        time.sleep(0.2)
    log("the monitor did not catch up within 60 s; the idle case may count 503s")


def start_nginx():
    os.makedirs(os.path.join(work, "logs"), exist_ok=True)
    conf = os.path.join(work, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""daemon off;
worker_processes 1;
error_log {work}/logs/error.log;
pid {work}/nginx.pid;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {work};
  client_max_body_size 16m;
  client_body_buffer_size 1m;
  keepalive_requests 10000000;
  server {{
    listen 127.0.0.1:{NGINX_PORT};
    location / {{ return 202 '{{"id":"tx-0001","status":"accepted","topic":"transactions","partition":0,"offset":0}}'; }}
  }}
}}
""")
    return start(["nginx", "-c", conf, "-p", work], open(os.path.join(work, "nginx.out"), "w"))


def start_cluster():
    out = open(os.path.join(work, "bootstrap"), "w")
    process = subprocess.Popen([os.path.join(BIN, "gateway"), "kafka", "--log-level", "warning"], stdout=out,
                               stderr=open(os.path.join(work, "kafka.log"), "w"))
    children.append(process)
    for _ in range(300):
        with open(os.path.join(work, "bootstrap")) as f:
            line = f.readline().strip()
        if line:
            return process, line
        time.sleep(0.1)
    raise SystemExit("the cluster printed no bootstrap servers")


def start_gateway(bootstrap):
    env = dict(os.environ, GATEWAY_LOG_LEVEL="warning")
    process = start([os.path.join(BIN, "gateway"), "serve", "--host", "127.0.0.1", "--port", str(GATEWAY_PORT),
                     "--bootstrap-servers", bootstrap], open(os.path.join(work, "gateway.log"), "w"), env=env)
    wait_ready(GATEWAY + "/readyz")
    return process


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / HZ


def peak_rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class Kafka:
    """Records in the transactions topic: the sum of the partitions' end offsets (kcat -Q)."""

    def __init__(self, bootstrap):
        self.bootstrap = bootstrap
        listing = subprocess.run(["kcat", "-b", bootstrap, "-L", "-t", "transactions"], capture_output=True, text=True, timeout=30).stdout
        self.partitions = len(re.findall(r"partition \d+,", listing)) or 6

    def records(self):
        args = ["kcat", "-b", self.bootstrap, "-Q"]
        for p in range(self.partitions):
            args += ["-t", f"transactions:{p}:-1"]
        out = subprocess.run(args, capture_output=True, text=True, timeout=30).stdout
        return sum(int(m) for m in re.findall(r"offset (\d+)", out))


def wrk(url, script, connections, duration, env=None, path="/transactions"):
    args = ["wrk", "-t1", f"-c{connections}", f"-d{duration}", "--latency", "--timeout", "10s"]
    if script:
        args += ["-s", os.path.join(ROOT, "bench", "lua", script)]
    out = subprocess.run(args + [url + path], capture_output=True, text=True, env=dict(os.environ, **(env or {}))).stdout
    result = {"rps": 0.0, "requests": 0, "non2xx": 0, "errors": 0, "p50": float("nan"), "p90": float("nan"), "p99": float("nan")}
    if m := re.search(r"Requests/sec:\s+([\d.]+)", out):
        result["rps"] = float(m.group(1))
    if m := re.search(r"(\d+) requests in", out):
        result["requests"] = int(m.group(1))
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        result["non2xx"] = int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        result["errors"] = sum(int(x) for x in m.groups())
    for q in ("50", "90", "99"):
        if m := re.search(rf"^\s+{q}%\s+([\d.]+\w+)", out, re.M):
            result["p" + q] = seconds(m.group(1)) * 1000
    return result


class Suite:
    def __init__(self):
        self.nginx = start_nginx()
        self.cluster, bootstrap = start_cluster()
        self.gateway = start_gateway(bootstrap)
        self.kafka = Kafka(bootstrap)
        self.rows = []  # (case, nginx, gateway, extra)
        self.checks = []
        self.run = 0

    def env(self, **extra):
        self.run += 1
        return dict({"RUN_ID": f"r{int(time.time())}-{self.run}"}, **extra)

    def measured(self, script, connections, env, batch=1):
        """One gateway run with CPU and the Kafka record check."""
        before_records = self.kafka.records()
        g0, c0 = cpu_seconds(self.gateway.pid), cpu_seconds(self.cluster.pid)
        result = wrk(GATEWAY, script, connections, DURATION, env)
        g1, c1 = cpu_seconds(self.gateway.pid), cpu_seconds(self.cluster.pid)
        time.sleep(1.5)  # deliveries of requests in flight when wrk stopped
        acked = (result["requests"] - result["non2xx"]) * batch
        result["records"] = self.kafka.records() - before_records
        result["acked"] = acked
        # wrk does not count answers still in flight when it stops; those records are in Kafka.
        result["check"] = 0 <= result["records"] - acked <= connections * batch
        answered = max(1, result["requests"])
        result["gw_us"] = (g1 - g0) / answered * 1e6
        # Per acknowledged request: a monitor that falls behind turns requests into cheap 503s.
        result["gw_us_ok"] = (g1 - g0) / max(1, result["requests"] - result["non2xx"]) * 1e6
        result["ok_rps"] = result["rps"] * (result["requests"] - result["non2xx"]) / answered
        result["cl_us"] = (c1 - c0) / answered * 1e6
        return result

    def case(self, name, script, connections, reps=1, batch=1, **extra):
        log(f"case: {name}")
        runs = []
        for _ in range(reps):
            base = wrk(NGINX, script, connections, DURATION, self.env(**extra))
            runs.append((base, self.measured(script, connections, self.env(**extra), batch)))
        self.rows.append((name, connections, batch, runs))
        return runs

    def idle(self, requests=200):
        """One client, sequential single POSTs: the latency of an idle gateway (no batching partner)."""
        log("case: idle latency")
        script = os.path.join(ROOT, "bench", "idle-latency.py")
        def run(url):
            out = subprocess.run([sys.executable, script, url + "/transactions", str(requests)], capture_output=True, text=True).stdout
            try:
                return json.loads(out)
            except json.JSONDecodeError:
                return {}
        wait_monitor_caught_up(GATEWAY)
        self.idle_rows = [(run(NGINX), run(GATEWAY))]

    def gets_while_ingesting(self):
        log("case: GETs while ingesting")
        total = 3 * seconds(DURATION) + 2
        background = subprocess.Popen(["wrk", "-t1", "-c64", f"-d{int(total)}s", "-s", os.path.join(ROOT, "bench", "lua", "realistic.lua"),
                                       GATEWAY + "/transactions"], stdout=subprocess.DEVNULL, env=dict(os.environ, **self.env()))
        time.sleep(1)
        results = []
        for path in ("/metrics", "/stats", "/alerts"):
            base = wrk(NGINX, None, 4, DURATION, path=path)
            results.append((path, base, wrk(GATEWAY, None, 4, DURATION, path=path)))
        background.wait()
        self.gets = results

    def streaming(self):
        """One long chunked NDJSON POST per connection, answered line by line (bench/streaming.py).
        nginx cannot answer a stream line by line, so this case has no baseline of its own."""
        self.streams = []
        script = os.path.join(ROOT, "bench", "streaming.py")
        for connections in (1, 4):
            log(f"case: streaming ingest, {connections} connection(s)")
            wait_monitor_caught_up(GATEWAY)
            before_records = self.kafka.records()
            g0 = cpu_seconds(self.gateway.pid)
            out = subprocess.run([sys.executable, script, GATEWAY + "/transactions", str(seconds(DURATION)), str(connections)],
                                 capture_output=True, text=True).stdout
            g1 = cpu_seconds(self.gateway.pid)
            try:
                result = json.loads(out)
            except json.JSONDecodeError:
                result = {}
            time.sleep(1.5)
            result["records"] = self.kafka.records() - before_records
            result["gw_us"] = (g1 - g0) / max(1, result.get("accepted", 0)) * 1e6
            self.streams.append(result)

    def open_loop(self, maximum):
        """txgen at 50/75/90 % of the gateway's closed-loop maximum, against nginx and the gateway."""
        self.open = []
        txgen = os.path.join(BIN, "txgen")
        def run(url, rate):
            out = subprocess.run([txgen, "--url", url + "/transactions", "--rate", str(rate),
                                  "--duration", OPEN_DURATION, "--concurrency", "256", "--accounts", "1000000", "--json", "--quiet",
                                  "--start-time", "now"], capture_output=True, text=True).stdout
            try:
                return json.loads(out)
            except json.JSONDecodeError:
                return {}
        for share in (0.5, 0.75, 0.9):
            rate = max(1, int(maximum * share))
            log(f"case: open loop at {share:.0%} = {rate}/s")
            if not os.path.exists(txgen):
                log(f"no {txgen}: open loop skipped")
                self.open.append((share, rate, {}, {}))
                continue
            self.open.append((share, rate, run(NGINX, rate), run(GATEWAY, rate)))

    def main(self):
        log("warm-up")
        wrk(NGINX, "realistic.lua", 64, WARMUP, self.env())
        wrk(GATEWAY, "realistic.lua", 64, WARMUP, self.env())
        self.idle()
        single = self.case("single POST, realistic stream", "realistic.lua", 64, reps=REPS)
        self.case("single POST, realistic stream", "realistic.lua", 256)
        self.case("single POST, `Prefer: respond-async`", "realistic.lua", 64, PREFER="respond-async")
        self.case("NDJSON batches of 100", "realistic.lua", 16, batch=100, BATCH="100")
        self.case("NDJSON batches of 1000", "realistic.lua", 4, batch=1000, BATCH="1000")
        self.case("rule storm (every transaction alerts)", "storm.lua", 64)
        self.streaming()
        self.gets_while_ingesting()
        # The maximum the gateway acknowledges (2xx), not its rate of answers of any kind.
        self.open_loop(statistics.median(g["ok_rps"] for _, g in single))
        self.write()

    # MARK: report

    def write(self):
        commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True).stdout.strip()
        load = open("/proc/loadavg").read().split()[:3]
        lines = [
            "# Benchmark results (bench/suite.sh)", "",
            f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; commit {commit}{' (with uncommitted changes)' if dirty else ''}",
            f"- machine: {os.cpu_count()} cores; load average at the end {' '.join(load)}",
            f"- binaries: {BIN}",
            f"- durations: {DURATION} per run, {REPS} repetitions of the first case, open loop {OPEN_DURATION} per rate; wrk -t1, --timeout 10s",
            "- gateway: `gateway serve` (release, monitor on, defaults) against `gateway kafka` (embedded 3-broker cluster, own process);"
            " baseline: nginx-light, one worker, static 202, same wrk settings, same run",
        ]
        if LABEL:
            lines += ["", f"**{LABEL}**"]
        lines += ["", "## Idle latency (one client, sequential realistic single POSTs, bench/idle-latency.py)", "",
                  "| target | 2xx / sent | p50 ms | p90 ms | p99 ms | max ms |", "|---|---|---|---|---|---|"]
        for base, g in self.idle_rows:
            for target, r in (("nginx", base), ("gateway", g)):
                if r:
                    lines.append(f"| {target} | {r['ok']} / {r['n']} | {r['p50']:.2f} | {r['p90']:.2f} | {r['p99']:.2f} | {r['max']:.2f} |")
                else:
                    lines.append(f"| {target} | failed | | | | |")
        lines += ["", "## Closed loop (wrk)", "",
                  "| case | conns | nginx req/s | gateway req/s | ratio | acknowledged transactions/s (2xx) | p50 / p99 ms | gateway CPU us/req (per 2xx) | cluster CPU us/req | Kafka records = 2xx items |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for name, connections, batch, runs in self.rows:
            for index, (base, g) in enumerate(runs):
                label = name + (f" (run {index + 1})" if len(runs) > 1 else "")
                ratio = g["rps"] / base["rps"] if base["rps"] else float("nan")
                check = ("yes" if g["check"] else "**no**") + f" ({g['records']} / {g['acked']})"
                errors = f", {g['non2xx']} non-2xx, {g['errors']} socket errors" if g["non2xx"] or g["errors"] else ""
                lines.append(f"| {label}{errors} | {connections} | {base['rps']:,.0f} | {g['rps']:,.0f} | {ratio:.3f} | {g['ok_rps'] * batch:,.0f} | "
                             f"{g['p50']:.2f} / {g['p99']:.2f} | {g['gw_us']:.0f} ({g['gw_us_ok']:.0f}) | {g['cl_us']:.0f} | {check} |")
            if len(runs) > 1:
                rates = [g["rps"] for _, g in runs]
                ratios = [g["rps"] / b["rps"] for b, g in runs if b["rps"]]
                spread = (max(rates) - min(rates)) / statistics.median(rates) if statistics.median(rates) else float("nan")
                lines.append(f"| {name}: median of {len(runs)} | {connections} | | {statistics.median(rates):,.0f} | {statistics.median(ratios):.3f} | | | | | spread (max-min)/median {spread:.0%} |")
        lines += ["", "## Streaming ingest (one chunked NDJSON POST per connection, results line by line; bench/streaming.py)", "",
                  "The client writes as fast as the gateway reads; latency (line written to its result read) is at saturation, mostly socket buffers.", "",
                  "| conns | accepted / sent | refused | transactions/s | p50 / p99 ms | gateway CPU us/tx | Kafka records = accepted |",
                  "|---|---|---|---|---|---|---|"]
        for r in self.streams:
            if "accepted" not in r:
                lines.append("| failed | | | | | | |")
                continue
            check = ("yes" if r["records"] == r["accepted"] else "**no**") + f" ({r['records']} / {r['accepted']})"
            errors = f" ({'; '.join(r['errors'])})" if r["errors"] else ""
            lines.append(f"| {r['connections']} | {r['accepted']:,} / {r['sent']:,}{errors} | {r['refused']} | {r['tx_per_s']:,} | "
                         f"{r['p50_ms']} / {r['p99_ms']} | {r['gw_us']:.1f} | {check} |")
        lines += ["", "## GET while ingesting (64 connections posting the realistic stream; wrk -c4 on the GET)", "",
                  "| path | nginx req/s | gateway req/s | gateway p50 / p99 ms |", "|---|---|---|---|"]
        for path, base, g in self.gets:
            lines.append(f"| {path} | {base['rps']:,.0f} | {g['rps']:,.0f} | {g['p50']:.2f} / {g['p99']:.2f} |")
        lines += ["", "## Open loop (txgen --rate, 256 connections, latency from the scheduled send time)", "",
                  "| share of the gateway's closed-loop maximum (64 conns) | target | offered/s | achieved/s | 2xx | p50 | p90 | p99 | p99.9 | max (ms) |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for share, rate, base, g in self.open:
            for target, s in (("nginx", base), ("gateway", g)):
                l = s.get("latency_from_schedule_ms") or {}
                def f(key):
                    return f"{l[key]:.1f}" if key in l else "-"
                lines.append(f"| {share:.0%} | {target} | {rate:,} | {s.get('achieved_rate', 0):,.0f} | {s.get('accepted', '-')} | {f('p50')} | {f('p90')} | {f('p99')} | {f('p99_9')} | {f('max')} |")
        lines += ["", "## Memory", "",
                  f"- peak resident memory (VmHWM): gateway {peak_rss_mib(self.gateway.pid):.0f} MiB, cluster process {peak_rss_mib(self.cluster.pid):.0f} MiB, nginx {peak_rss_mib(self.nginx.pid):.0f} MiB (master)",
                  "", "CPU us/req: user+system time of the process during the gateway's run divided by the answers wrk counted.",
                  "Kafka check: records added to `transactions` during the run (sum of end offsets, kcat -Q) against 2xx answers x transactions per request;"
                  " up to connections x batch more records are expected (wrk does not count answers in flight when it stops)."]
        path = os.environ.get("SUITE_OUT") or os.path.join(ROOT, "bench", "RESULTS-suite.md")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        log(f"wrote {path}")


if __name__ == "__main__":
    try:
        Suite().main()
    finally:
        stop_all()
