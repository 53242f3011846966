#!/usr/bin/env python3
"""Posts exactly N realistic single transactions (unique ids, many accounts, like bench/lua/realistic.lua)
over C keep-alive connections, and prints how many were answered 2xx. For instruction counts
(bench/callgrind-per-request.sh), where the number of requests must be exact and wrk cannot cap it.
With BATCH=B (B > 1), each POST is an NDJSON batch of B such transactions, and the count printed is
of items answered "accepted" (for instructions per transaction).
Usage: [BATCH=B] post-n.py URL N [C]"""
import http.client, os, sys, threading, urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from realistic import body  # noqa: E402

url, total = sys.argv[1], int(sys.argv[2])
connections = int(sys.argv[3]) if len(sys.argv) > 3 else 8
batch = int(os.environ.get("BATCH", "1"))
content_type = "application/x-ndjson" if batch > 1 else "application/json"
parts = urllib.parse.urlsplit(url)
lock = threading.Lock()
state = {"next": 0, "ok": 0, "other": {}}

def payload(n):
    if batch <= 1: return body(n)
    return "\n".join(body(n * batch + i) for i in range(batch)) + "\n"

def worker():
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    while True:
        with lock:
            n = state["next"]
            if n >= total: break
            state["next"] = n + 1
        conn.request("POST", parts.path, body=payload(n), headers={"Content-Type": content_type})
        response = conn.getresponse()
        text = response.read().decode()
        with lock:
            if batch > 1: state["ok"] += text.count('"status":"accepted"')
            elif 200 <= response.status < 300: state["ok"] += 1
            else: state["other"][response.status] = state["other"].get(response.status, 0) + 1
    conn.close()

threads = [threading.Thread(target=worker) for _ in range(connections)]
for t in threads: t.start()
for t in threads: t.join()
print(state["ok"], state["other"] or "")
