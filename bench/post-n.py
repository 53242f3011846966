#!/usr/bin/env python3
"""Posts exactly N realistic single transactions (unique ids, many accounts, like bench/lua/realistic.lua)
over C keep-alive connections, and prints how many were answered 2xx. For instruction counts
(bench/callgrind-per-request.sh), where the number of requests must be exact and wrk cannot cap it.
Usage: post-n.py URL N [C]"""
import http.client, os, sys, threading, urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from realistic import body  # noqa: E402

url, total = sys.argv[1], int(sys.argv[2])
connections = int(sys.argv[3]) if len(sys.argv) > 3 else 8
parts = urllib.parse.urlsplit(url)
lock = threading.Lock()
state = {"next": 0, "ok": 0, "other": {}}

def worker():
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    while True:
        with lock:
            n = state["next"]
            if n >= total: break
            state["next"] = n + 1
        conn.request("POST", parts.path, body=body(n), headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        with lock:
            if 200 <= response.status < 300: state["ok"] += 1
            else: state["other"][response.status] = state["other"].get(response.status, 0) + 1
    conn.close()

threads = [threading.Thread(target=worker) for _ in range(connections)]
for t in threads: t.start()
for t in threads: t.join()
print(state["ok"], state["other"] or "")
