#!/usr/bin/env python3
"""Streaming ingest: one long chunked NDJSON POST per connection, answered line by line.

    python3 bench/streaming.py URL SECONDS [CONNECTIONS]

Each connection sends the realistic stream (unique ids, a million accounts) in chunks of 50 lines
for SECONDS, while a second thread reads the chunked NDJSON answer. A result's latency is the time
from writing its line to reading its result (results come in order). The gateway's flow control
stops reading a stream while 1000 results wait, so a writer that outruns Kafka blocks in send.
Prints one JSON object: lines sent, accepted, refused, transactions/s, latency p50/p99 in ms.
"""
import json
import os
import socket
import sys
import threading
import time
from urllib.parse import urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import realistic  # noqa: E402

LINES_PER_CHUNK = 50
# Bodies made once with a placeholder id: formatting a fresh body per line would make this client,
# not the gateway, the bottleneck.
TEMPLATES = [realistic.body(n).replace(f'"{realistic.RUN}-{n}"', '"@ID@"') for n in range(10_000)]


class Stream:
    def __init__(self, url, seconds, index):
        self.url = urlsplit(url)
        self.seconds = seconds
        self.index = index
        self.sent_at = []
        self.latencies = []
        self.accepted = 0
        self.refused = 0
        self.last_result = None
        self.error = None

    def run(self):
        sock = socket.create_connection((self.url.hostname, self.url.port or 80), timeout=70)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        head = (f"POST {self.url.path or '/'} HTTP/1.1\r\nHost: {self.url.netloc}\r\n"
                "Content-Type: application/x-ndjson\r\nAccept: application/x-ndjson\r\n"
                f"Transfer-Encoding: chunked\r\nX-Client-Name: streaming-{self.index}\r\n\r\n")
        sock.sendall(head.encode())
        reader = threading.Thread(target=self.read, args=(sock,))
        reader.start()
        try:
            self.write(sock)
        except OSError as error:
            self.error = f"write: {error}"
        reader.join()
        sock.close()

    def write(self, sock):
        deadline = time.monotonic() + self.seconds
        n = 0
        run = f"{realistic.RUN}-s{self.index}"
        while time.monotonic() < deadline:
            lines = []
            for _ in range(LINES_PER_CHUNK):
                lines.append(TEMPLATES[n % len(TEMPLATES)].replace("@ID@", f"{run}-{n}"))
                n += 1
            data = ("\n".join(lines) + "\n").encode()
            now = time.monotonic()
            self.sent_at.extend([now] * LINES_PER_CHUNK)
            sock.sendall(b"%x\r\n%s\r\n" % (len(data), data))
        sock.sendall(b"0\r\n\r\n")

    def read(self, sock):
        stream = sock.makefile("rb")
        try:
            status = stream.readline()
            if b" 200 " not in status:
                self.error = f"status line: {status!r}"
                return
            while stream.readline() not in (b"\r\n", b""):
                pass  # headers
            pending = b""
            while True:
                size = int(stream.readline().split(b";")[0], 16)
                if size == 0:
                    break
                pending += stream.read(size)
                stream.readline()
                *lines, pending = pending.split(b"\n")
                now = time.monotonic()
                for line in lines:
                    k = self.accepted + self.refused
                    if b'"status":"accepted"' in line:
                        self.accepted += 1
                    else:
                        self.refused += 1
                    if k < len(self.sent_at):
                        self.latencies.append(now - self.sent_at[k])
                    self.last_result = now
        except (OSError, ValueError) as error:
            self.error = f"read: {error}"


def percentile(values, share):
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(share * len(values)))]


def main():
    url, seconds = sys.argv[1], float(sys.argv[2])
    connections = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    streams = [Stream(url, seconds, i) for i in range(connections)]
    started = time.monotonic()
    threads = [threading.Thread(target=s.run) for s in streams]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ended = max([s.last_result for s in streams if s.last_result] or [time.monotonic()])
    latencies = [x for s in streams for x in s.latencies]
    accepted = sum(s.accepted for s in streams)
    print(json.dumps({
        "connections": connections,
        "sent": sum(len(s.sent_at) for s in streams),
        "accepted": accepted,
        "refused": sum(s.refused for s in streams),
        "tx_per_s": round(accepted / max(1e-9, ended - started)),
        "p50_ms": round(percentile(latencies, 0.5) * 1e3, 2) if latencies else None,
        "p99_ms": round(percentile(latencies, 0.99) * 1e3, 2) if latencies else None,
        "errors": [s.error for s in streams if s.error],
    }))


if __name__ == "__main__":
    main()
