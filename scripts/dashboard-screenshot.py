#!/usr/bin/env python3
"""Screenshot of the live dashboard after it has received events for a while.

    scripts/dashboard-screenshot.py http://127.0.0.1:8080/ docs/dashboard.png [seconds]

Runs Debian's headless chromium over the DevTools protocol on a pipe (--remote-debugging-pipe: fd 3
for commands, fd 4 for replies, NUL-terminated JSON), because a page fed by Server-Sent Events never
finishes loading and chromium's one-shot --screenshot fires before the first event. Chromium runs
in a session of its own; the whole group is killed at the end. The end-to-end test
(Tests/EndToEndTests/DashboardEndToEndTests) drives the page the same way from Swift.
"""
import base64, json, os, signal, subprocess, sys, tempfile, time

url, out = sys.argv[1], sys.argv[2]
seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 5
to_chrome_r, to_chrome_w = os.pipe()
from_chrome_r, from_chrome_w = os.pipe()
profile = tempfile.mkdtemp(prefix="chromium-")
flags = ("--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --remote-debugging-pipe --hide-scrollbars --window-size=1280,900 "
         f"--user-data-dir={profile} --no-first-run about:blank")
# The shell moves the pipes to fds 3 and 4, then becomes chromium (same pid, own session).
chrome = subprocess.Popen(["sh", "-c", f"exec chromium {flags} 3<&{to_chrome_r} 4>&{from_chrome_w}"],
                          pass_fds=(to_chrome_r, from_chrome_w), start_new_session=True,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
os.close(to_chrome_r)
os.close(from_chrome_w)
pending = b""
ids = iter(range(1, 1 << 30))


def send(method, params=None, session=None):
    global pending
    message_id = next(ids)
    message = {"id": message_id, "method": method, "params": params or {}}
    if session:
        message["sessionId"] = session
    os.write(to_chrome_w, json.dumps(message).encode() + b"\0")
    deadline = time.time() + 20
    while time.time() < deadline:
        while b"\0" in pending:
            text, pending = pending.split(b"\0", 1)
            reply = json.loads(text)
            if reply.get("id") == message_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
        chunk = os.read(from_chrome_r, 1 << 16)
        if not chunk:
            raise RuntimeError("chromium closed its pipe")
        pending += chunk
    raise RuntimeError(f"{method}: no reply")


try:
    page = next(t["targetId"] for t in send("Target.getTargets")["targetInfos"] if t["type"] == "page")
    session = send("Target.attachToTarget", {"targetId": page, "flatten": True})["sessionId"]
    send("Emulation.setDeviceMetricsOverride", {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False}, session)
    send("Page.navigate", {"url": url}, session)
    time.sleep(seconds)
    png = base64.b64decode(send("Page.captureScreenshot", {"format": "png"}, session)["data"])
    with open(out, "wb") as f:
        f.write(png)
    print(f"{out}: {len(png)} bytes")
finally:
    try:
        os.killpg(chrome.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    chrome.wait()
