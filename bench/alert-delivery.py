#!/usr/bin/env python3
"""Alert delivery: latency from POST /transactions to the webhook's arrival, and the gateway CPU an
alert adds (monitor, alert record, stream store, delivery consumer, signed POST).

Usage: bench/alert-delivery.py [--gateway .build/release/gateway] [--count 2000] [--rate 100]

Starts a webhook receiver (Tests/Fixtures/webhook_receiver.py) and `gateway serve` with its embedded
cluster on ports 18210-18211, both stopped by their PIDs at the end.
1. Latency: --count alerting transactions, one POST each at --rate per second over one keep-alive
   connection; latency = receiver's arrival time - the moment the POST was sent (same clock).
2. CPU: the gateway's CPU time (utime+stime, /proc) for --count transactions in NDJSON batches of 100
   that raise no alert, then for --count that each raise one; the difference per alert is the cost.
The machine may be shared: run it twice, and say how loaded it was.
"""
import argparse, base64, calendar, threading, http.client, json, os, re, signal, statistics, subprocess, sys, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
parser = argparse.ArgumentParser()
parser.add_argument("--gateway", default=os.path.join(root, ".build/release/gateway"))
parser.add_argument("--count", type=int, default=2000)
parser.add_argument("--rate", type=float, default=100)
parser.add_argument("--port", type=int, default=18210)
args = parser.parse_args()
secret = "whsec_" + base64.b64encode(os.urandom(24)).decode()

receiver = subprocess.Popen(
    [sys.executable, os.path.join(root, "Tests/Fixtures/webhook_receiver.py"), "--port", str(args.port + 1), "--secret", secret],
    stdout=subprocess.PIPE, text=True, bufsize=1)
assert receiver.stdout.readline().startswith("LISTENING")
gateway = subprocess.Popen(
    [args.gateway, "serve", "--host", "127.0.0.1", "--port", str(args.port),
     "--alert-webhook", f"http://127.0.0.1:{args.port + 1}/hook", "--alert-webhook-secret", secret,
     "--disable-rules", "velocity,amount_spike,country_hop,duplicate_charge", "--alerts-per-account-rule", "0"],
    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
errors_seen = []
arrivals = {}
arrivals_lock = threading.Lock()
client_ports = set()
detections = {}


def drain_receiver():
    # Read as it comes: a receiver whose stdout pipe fills blocks its handlers (and the deliveries).
    for line in receiver.stdout:
        if line.startswith("REQUEST "):
            record = json.loads(line[8:])
            tx = record["body"]["data"]["transaction_ids"][-1]
            client_ports.add(record.get("client_port"))
            detected = record["body"]["data"]["detected_at"]
            with arrivals_lock:
                arrivals.setdefault(tx, record["received_at"])
                detections.setdefault(tx, calendar.timegm(time.strptime(detected[:19], "%Y-%m-%dT%H:%M:%S"))
                                      + float(detected[19:-1] or 0))


def read_receiver(until_count, timeout):
    deadline = time.time() + timeout
    while len(arrivals) < until_count and time.time() < deadline:
        time.sleep(0.05)


def cpu_seconds():
    fields = open(f"/proc/{gateway.pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def transaction(tx_id, account, amount):
    return json.dumps({"id": tx_id, "account_id": account, "amount": amount, "currency": "BRL", "merchant_id": "m-1",
                       "country": "BR", "channel": "pix", "timestamp": "2026-12-07T17:00:00Z"})


def post(connection, body, content_type="application/json"):
    connection.request("POST", "/transactions", body=body, headers={"Content-Type": content_type})
    response = connection.getresponse()
    response.read()
    assert response.status in (200, 202), response.status


def metric(name):
    connection = http.client.HTTPConnection("127.0.0.1", args.port)
    connection.request("GET", "/metrics")
    text = connection.getresponse().read().decode()
    return sum(float(m.group(1)) for m in re.finditer(rf"^{name}(?:{{[^}}]*}})? (\S+)$", text, re.M))


threading.Thread(target=drain_receiver, daemon=True).start()
try:
    for _ in range(300):
        line = gateway.stderr.readline()
        if "gateway listening" in line:
            break
    connection = http.client.HTTPConnection("127.0.0.1", args.port)
    # Warm-up (first requests, group joins): 50 alerts, all delivered.
    for i in range(50):
        post(connection, transaction(f"warm-{i}", f"acc-w{i % 10}", "15000.00"))
    read_receiver(50, 60)
    assert len(arrivals) >= 50, f"warm-up: {len(arrivals)} of 50 arrived"

    sent = {}
    for i in range(args.count):
        due = time.time() + 1 / args.rate
        tx = f"lat-{i}"
        sent[tx] = time.time()
        post(connection, transaction(tx, f"acc-l{i % 100}", "15000.00"))
        time.sleep(max(0, due - time.time()))
    read_receiver(50 + args.count, 60)
    def summary(label, values):
        values = sorted(values)
        print(f"{label}, {len(values)} of {args.count} alerts at {args.rate}/s: p50 {values[len(values) // 2]:.1f} ms, "
              f"p90 {values[int(len(values) * 0.9)]:.1f} ms, p99 {values[int(len(values) * 0.99)]:.1f} ms, "
              f"max {values[-1]:.1f} ms")

    summary("POST -> webhook", ((arrivals[tx] - t) * 1000 for tx, t in sent.items() if tx in arrivals))
    summary("  POST -> detected_at (monitor)", ((detections[tx] - t) * 1000 for tx, t in sent.items() if tx in arrivals))
    summary("  detected_at -> webhook (delivery)", ((arrivals[tx] - detections[tx]) * 1000 for tx in sent if tx in arrivals))

    def cpu_run(label, amount, expect_alerts):
        recorded = metric("gateway_monitor_recorded_total")
        before_arrivals = len(arrivals)
        start = cpu_seconds()
        for batch in range(args.count // 100):
            lines = [transaction(f"{label}-{batch}-{i}", f"acc-{label}{i}", amount) for i in range(100)]
            post(connection, "\n".join(lines), "application/x-ndjson")
        deadline = time.time() + 120
        while metric("gateway_monitor_recorded_total") < recorded + args.count and time.time() < deadline:
            time.sleep(0.1)
        if expect_alerts:
            read_receiver(before_arrivals + args.count, 120)
            while metric("gateway_webhook_backlog") > 0 and time.time() < deadline:
                time.sleep(0.1)
        time.sleep(1)  # idle tail of the last batch, the same for both runs
        return cpu_seconds() - start

    quiet = cpu_run("q", "100.00", False)
    alerting = cpu_run("a", "15000.00", True)
    print(f"gateway CPU for {args.count} transactions: no alerts {quiet:.2f} s, one alert each {alerting:.2f} s; "
          f"added per alert {(alerting - quiet) / args.count * 1e6:.0f} us")
    connection2 = http.client.HTTPConnection("127.0.0.1", args.port); connection2.request("GET", "/metrics"); print("\n".join(l for l in connection2.getresponse().read().decode().splitlines() if "webhook_deliveries_total{" in l))
    print(f"connections the receiver saw: {len(client_ports)}")
    print(f"load average: {open('/proc/loadavg').read().split()[:3]}, cores: {os.cpu_count()}")
finally:
    for process in (gateway, receiver):
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
