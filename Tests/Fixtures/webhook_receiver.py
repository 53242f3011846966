#!/usr/bin/env python3
"""A webhook receiver for the end-to-end tests: verifies Standard Webhooks signatures and prints
one line per request, `REQUEST {json}`, on stdout (flushed), so the test reads what arrived.

Usage: webhook_receiver.py --port P --secret whsec_... [--script /path=500,500,200 ...]
       [--always /path=STATUS] [--retry-after SECONDS] [--delay-ms MS]
A scripted path answers its statuses in turn, then 200; an --always path answers STATUS forever;
anything else answers 200. Port 0 picks a free one; the first line is `LISTENING <port>`.
"""
import argparse, base64, hashlib, hmac, http.server, json, sys, threading, time

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--secret", required=True)
parser.add_argument("--script", action="append", default=[])
parser.add_argument("--always", action="append", default=[])
parser.add_argument("--retry-after", default=None)
parser.add_argument("--delay-ms", type=int, default=0)
args = parser.parse_args()
key = base64.b64decode(args.secret.removeprefix("whsec_"))
scripts = {p: [int(s) for s in v.split(",")] for p, v in (x.split("=", 1) for x in args.script)}
always = {p: int(v) for p, v in (x.split("=", 1) for x in args.always)}
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        wid, ts = self.headers.get("webhook-id", ""), self.headers.get("webhook-timestamp", "")
        expected = base64.b64encode(hmac.new(key, f"{wid}.{ts}.".encode() + body, hashlib.sha256).digest()).decode()
        signatures = [s.split(",", 1)[1] for s in self.headers.get("webhook-signature", "").split() if s.startswith("v1,")]
        valid = any(hmac.compare_digest(expected, s) for s in signatures)
        with lock:
            if self.path in always:
                status = always[self.path]
            elif scripts.get(self.path):
                status = scripts[self.path].pop(0)
            else:
                status = 200
        if args.delay_ms:
            time.sleep(args.delay_ms / 1000)
        record = {
            "path": self.path, "webhook_id": wid, "timestamp": ts, "signature_valid": valid,
            "traceparent": self.headers.get("traceparent"), "status": status,
            "received_at": time.time(), "client_port": self.client_address[1], "body": json.loads(body or b"null"),
        }
        with lock:  # one whole line at a time: handler threads would interleave their writes
            sys.stdout.write("REQUEST " + json.dumps(record) + "\n")
            sys.stdout.flush()
        self.send_response(status)
        if status in (429, 503) and args.retry_after is not None:
            self.send_header("Retry-After", args.retry_after)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


class Server(http.server.ThreadingHTTPServer):
    request_queue_size = 128  # listen(2) backlog; the default 5 drops SYNs (1 s, 3 s retransmits) under bursts
    daemon_threads = True


server = Server(("127.0.0.1", args.port), Handler)
print(f"LISTENING {server.server_address[1]}", flush=True)
server.serve_forever()
