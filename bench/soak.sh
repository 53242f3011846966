#!/usr/bin/env bash
# Soak: a steady rate with txgen for a long time against the gateway (monitor on, cluster in its
# own process), the gateway's resident memory sampled every 10 s into a CSV, then summarised:
# after the warm-up, memory must not grow. FAILS (exit 1) when the mean of the last three samples
# is more than SOAK_RSS_GROWTH_PERCENT (default 10) above the mean of the first three after the
# warm-up, or when txgen saw answers other than 2xx.
#
# The monitor's state is windowed in time and fills before it levels off: the dedupe window
# (default 10 minutes) for its whole length, so the soak sets it to 2 minutes (SOAK_GATEWAY_FLAGS
# overrides the gateway's flags); the first run (2026-11-30, 1000/s) still grew until 330 s and was
# flat after, so the warm-up is the first half of the run (SOAK_WARMUP_SECONDS) and what remains
# is a test for leaks. `python3 bench/soak-summary.py CSV WARMUP LIMIT` summarises a CSV again.
#
# Usage: bench/soak.sh [duration seconds, default 600] [rate per second, default 1000]
#   writes soak-<date>.csv (elapsed_s,rss_kib,produced_total,recorded_total) in SOAK_DIR (default .build/soak)
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-600}
rate=${2:-1000}
warmup=${SOAK_WARMUP_SECONDS:-$((duration / 2))}
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

python3 bench/soak-summary.py "$csv" "$warmup" "$growth_limit" "$work/txgen.json"
