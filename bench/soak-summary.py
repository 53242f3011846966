"""Summarises a bench/soak.sh CSV: resident memory after the warm-up must not grow.

Usage: soak-summary.py CSV WARMUP_SECONDS GROWTH_LIMIT_PERCENT [TXGEN_JSON]
Exit status 1 when the mean of the last three samples is more than the limit above the mean of
the first three after the warm-up, or when txgen saw answers other than 2xx.
"""
import csv
import json
import os
import sys

rows = [(int(r["elapsed_s"]), int(r["rss_kib"])) for r in csv.DictReader(open(sys.argv[1]))]
warmup, limit = int(sys.argv[2]), float(sys.argv[3])
ok = True
if len(sys.argv) > 4 and os.path.exists(sys.argv[4]):
    summary = json.load(open(sys.argv[4]))
    print(f"txgen: {summary['transactions_sent']} sent, {summary['accepted']} accepted, achieved {summary['achieved_rate']:.0f}/s, "
          f"latency p50 {summary['latency_ms']['p50']:.1f} ms p99 {summary['latency_ms']['p99']:.1f} ms, statuses {summary['status_counts']}")
    if any(not status.startswith("2") for status in summary["status_counts"]) or summary["errors"]:
        print("FAIL: answers other than 2xx, or transport errors")
        ok = False
after = [(t, kib) for t, kib in rows if t >= warmup]
if len(after) < 6:
    print("FAIL: too few samples after the warm-up")
    sys.exit(1)


def mib(kib):
    return kib / 1024


start = sum(kib for _, kib in after[:3]) / 3
end = sum(kib for _, kib in after[-3:]) / 3
n = len(after)
mean_t = sum(t for t, _ in after) / n
mean_k = sum(k for _, k in after) / n
slope = sum((t - mean_t) * (k - mean_k) for t, k in after) / sum((t - mean_t) ** 2 for t, _ in after)
growth = (end - start) * 100 / start
print(f"resident memory: {mib(rows[0][1]):.0f} MiB at start, {mib(start):.1f} MiB after the {warmup} s warm-up, "
      f"{mib(end):.1f} MiB at the end ({growth:+.1f} %), min {mib(min(k for _, k in after)):.1f} "
      f"max {mib(max(k for _, k in after)):.1f}, trend {slope * 60 / 1024:+.2f} MiB/min over {n} samples")
print("resident MiB every 30 s: " + " ".join(f"{t}s:{kib // 1024}" for t, kib in rows[::3]))
if growth > limit:
    print(f"FAIL: grew more than {limit} % after the warm-up")
    ok = False
print("soak: PASS" if ok else "soak: FAIL")
sys.exit(0 if ok else 1)
