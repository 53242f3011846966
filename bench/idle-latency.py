#!/usr/bin/env python3
"""Idle latency: one client, one keep-alive connection, N sequential realistic single POSTs (each sent
after the previous answer), timed on the client. Prints JSON: p50, p90, p99, max in ms, and the count
of 2xx answers. The first W requests warm up and are not counted.
Usage: idle-latency.py URL [N] [W]"""
import http.client, json, os, statistics, sys, time, urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from realistic import body  # noqa: E402

url = sys.argv[1]
total = int(sys.argv[2]) if len(sys.argv) > 2 else 200
warmup = int(sys.argv[3]) if len(sys.argv) > 3 else 20
parts = urllib.parse.urlsplit(url)
conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
times, ok = [], 0
for n in range(warmup + total):
    payload = body(n)
    start = time.perf_counter()
    conn.request("POST", parts.path, body=payload, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    response.read()
    elapsed = (time.perf_counter() - start) * 1000
    if n >= warmup:
        times.append(elapsed)
        ok += 200 <= response.status < 300
conn.close()
times.sort()
def q(p):
    return times[min(len(times) - 1, int(p * len(times)))]
print(json.dumps({"n": len(times), "ok": ok, "p50": statistics.median(times), "p90": q(0.9), "p99": q(0.99), "max": times[-1]}))
