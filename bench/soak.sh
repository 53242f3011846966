#!/usr/bin/env bash
# Soak: a steady rate with txgen for a long time against the gateway (monitor on, cluster in its
# own process), the gateway's resident memory sampled every 10 s into a CSV, then summarised:
# after the warm-up, memory must not grow. FAILS (exit 1) when the mean of the last three samples
# is more than SOAK_RSS_GROWTH_PERCENT (default 10) above the mean of the first three after the
# warm-up, or when txgen saw answers other than 2xx.
#
# The dedupe window (default 10 minutes) legitimately grows for its whole length; the soak sets
# it to 2 minutes (SOAK_GATEWAY_FLAGS overrides the gateway's flags) so that the warm-up (3 minutes,
# SOAK_WARMUP_SECONDS) covers it and what remains is a test for leaks.
#
# Usage: bench/soak.sh [duration seconds, default 600] [rate per second, default 1000]
#   writes soak-<date>.csv (elapsed_s,rss_kib,produced_total,recorded_total) in SOAK_DIR (default .build/soak)
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-600}
rate=${2:-1000}
warmup=${SOAK_WARMUP_SECONDS:-180}
growth_limit=${SOAK_RSS_GROWTH_PERCENT:-10}
port=${SOAK_PORT:-18084}
binary=${GATEWAY_BINARY:-.build/release/gateway}
txgen=${TXGEN_BINARY:-.build/release/txgen}
read -r -a flags <<< "${SOAK_GATEWAY_FLAGS:---dedupe-window-seconds 120}"
out_dir=${SOAK_DIR:-.build/soak}
mkdir -p "$out_dir"
csv="$out_dir/soak-$(date -u +%Y%m%dT%H%M%SZ).csv"
[ "$duration" -gt "$warmup" ] || { echo "duration must exceed the warm-up ($warmup s)" >&2; exit 2; }

source bench/cluster-and-gateway.sh
start_cluster_and_gateway "${flags[@]}"

metric() { curl -s "http://127.0.0.1:$port/metrics" | awk -v name="$1" '$1 == name {print $2; exit}'; }
echo "soak: ${duration}s at ${rate}/s, gateway pid $gateway (${flags[*]}), samples every 10 s in $csv"
echo "elapsed_s,rss_kib,produced_total,recorded_total" > "$csv"
"$txgen" --url "http://127.0.0.1:$port/transactions" --rate "$rate" --duration "${duration}s" --concurrency 64 \
    --event-step 1ms --quiet --json > "$work/txgen.json" 2> "$work/txgen.err" &
load=$!
pids+=($load)
start=$(date +%s)
while kill -0 "$load" 2>/dev/null; do
    echo "$(( $(date +%s) - start )),$(awk '/^VmRSS/ {print $2}' "/proc/$gateway/status"),$(metric gateway_kafka_produced_total),$(metric gateway_monitor_recorded_total)" >> "$csv"
    for _ in $(seq 1 10); do kill -0 "$load" 2>/dev/null && sleep 1; done
done
wait "$load" || true

python3 - "$csv" "$warmup" "$growth_limit" "$work/txgen.json" <<'PY'
import csv, json, sys
rows = [(int(r["elapsed_s"]), int(r["rss_kib"])) for r in csv.DictReader(open(sys.argv[1]))]
warmup, limit = int(sys.argv[2]), float(sys.argv[3])
summary = json.load(open(sys.argv[4]))
after = [(t, kib) for t, kib in rows if t >= warmup]
ok = True
print(f"txgen: {summary['transactions_sent']} sent, {summary['accepted']} accepted, achieved {summary['achieved_rate']:.0f}/s, "
      f"latency p50 {summary['latency_ms']['p50']:.1f} ms p99 {summary['latency_ms']['p99']:.1f} ms, statuses {summary['status_counts']}")
if any(not status.startswith("2") for status in summary["status_counts"]) or summary["errors"]:
    print("FAIL: answers other than 2xx, or transport errors"); ok = False
if len(after) < 6:
    print("FAIL: too few samples after the warm-up"); sys.exit(1)
mib = lambda kib: kib / 1024
start = sum(kib for _, kib in after[:3]) / 3
end = sum(kib for _, kib in after[-3:]) / 3
n = len(after)
mean_t = sum(t for t, _ in after) / n
mean_k = sum(k for _, k in after) / n
slope = sum((t - mean_t) * (k - mean_k) for t, k in after) / sum((t - mean_t) ** 2 for t, _ in after)
growth = (end - start) * 100 / start
print(f"resident memory: {mib(rows[0][1]):.0f} MiB at start, {mib(start):.1f} MiB after the {warmup} s warm-up, "
      f"{mib(end):.1f} MiB at the end ({growth:+.1f} %), min {mib(min(k for _, k in after)):.1f} max {mib(max(k for _, k in after)):.1f}, "
      f"trend {slope * 60 / 1024:+.2f} MiB/min over {n} samples")
if growth > limit:
    print(f"FAIL: grew more than {limit} % after the warm-up"); ok = False
print("soak: PASS" if ok else "soak: FAIL")
sys.exit(0 if ok else 1)
PY
