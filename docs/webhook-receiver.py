#!/usr/bin/env python3
# A webhook receiver: python3 docs/webhook-receiver.py whsec_...   (listens on 127.0.0.1:9000)
import base64, hashlib, hmac, http.server, json, sys, time

KEY = base64.b64decode(sys.argv[1].removeprefix("whsec_"))
seen = set()  # webhook-ids already handled: delivery is at least once

class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        wid, ts = self.headers["webhook-id"], self.headers["webhook-timestamp"]
        mac = hmac.new(KEY, f"{wid}.{ts}.".encode() + body, hashlib.sha256).digest()
        given = [s[3:] for s in self.headers["webhook-signature"].split() if s.startswith("v1,")]
        if abs(time.time() - int(ts)) > 300 or not any(hmac.compare_digest(base64.b64encode(mac).decode(), s) for s in given):
            self.send_response(401); self.end_headers(); return  # not from the gateway, or replayed
        if wid not in seen:
            seen.add(wid)
            alert = json.loads(body)["data"]
            print(alert["severity"], alert["rule"], alert["account_id"], alert["reason"], flush=True)
        self.send_response(204); self.end_headers()  # any 2xx: delivered

http.server.HTTPServer(("127.0.0.1", 9000), Receiver).serve_forever()
