#!/usr/bin/env bash
# Overload: thousands of connections far above the sustainable rate, against the gateway with the
# cluster in its own process (`gateway kafka`). Two floods back to back: single-transaction POSTs
# on FLOOD_CONNECTIONS connections, then NDJSON batches of 100 (each connection then holds 100
# records awaiting Kafka, so --max-pending-records is what holds). The gateway's resident memory is
# sampled every second. The report FAILS (exit 1) unless:
#   - every answer was 2xx, 503 or 429 (no other status, no socket read/write error, no wrk timeout:
#     wrk's --timeout is the response timeout plus 5 s, so "no timeout" means every request was answered);
#   - memory plateaued: the peak of each flood's second half is within FLOOD_RSS_GROWTH_PERCENT
#     (default 10) of the peak of its first half;
#   - afterwards the gateway is healthy: /readyz 200 and a POST gets 202.
# The monitor is off by default (FLOOD_CONSUMERS=3 turns it on): its state is windowed in time
# (the dedupe window alone fills for 10 minutes) and so grows through any flood shorter than that,
# and on a small machine its consumers take the CPU the event loops need; bench/soak.sh measures it.
# Usage: bench/flood.sh [gateway binary] [seconds per flood] [connections]
#        (defaults: .build/release/gateway, 30, 4000; gateway flags can be added in GATEWAY_* variables;
#        FLOOD_KINDS="single batches" picks the floods, FLOOD_BATCH_SIZE the batch size)
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-.build/release/gateway}
seconds=${2:-30}
connections=${3:-4000}
growth_limit=${FLOOD_RSS_GROWTH_PERCENT:-10}
port=${FLOOD_PORT:-18083}
ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -ge $((connections * 2 + 1000)) ] || { echo "ulimit -n $(ulimit -n) is too low for $connections connections" >&2; exit 2; }

source bench/cluster-and-gateway.sh
start_cluster_and_gateway --consumers "${FLOOD_CONSUMERS:-0}"
url="http://127.0.0.1:$port/transactions"
# Warm-up (the first requests wait once for the brokers' metadata).
wrk -t1 -c16 -d2s -s bench/lua/flood.lua "$url" >/dev/null

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$gateway/status"; }
echo "gateway pid $gateway (consumers ${FLOOD_CONSUMERS:-0}), resident before: $(( $(rss_kib) / 1024 )) MiB, flood: ${seconds}s x $connections connections each"
failed=0

flood() {  # name, batch size
    local name=$1 batch=$2 samples="$work/rss-$1.txt"
    : > "$samples"
    ( while kill -0 "$gateway" 2>/dev/null; do rss_kib >> "$samples"; sleep 1; done ) &
    local sampler=$!
    FLOOD_BATCH=$batch wrk -t2 -c"$connections" -d"${seconds}s" --timeout 20s -s bench/lua/flood.lua "$url" > "$work/wrk-$name.txt" 2>&1 || true
    kill "$sampler" 2>/dev/null || true
    wait "$sampler" 2>/dev/null || true
    local requests statuses errors
    requests=$(awk '/requests in/ {print $1}' "$work/wrk-$name.txt")
    statuses=$(awk '/^status/ {$1=""; print}' "$work/wrk-$name.txt")
    errors=$(awk '/^errors/ {$1=""; print}' "$work/wrk-$name.txt")
    echo "== $name (batch $batch): ${requests:-?} answers in ${seconds}s; status$statuses"
    grep -E '^latency' "$work/wrk-$name.txt" || true
    echo "   socket errors:$errors"
    python3 - "$samples" "$growth_limit" "$statuses" "$errors" <<'PY' || failed=1
import sys
samples = [int(x) for x in open(sys.argv[1]).read().split()]
limit = float(sys.argv[2])
statuses = dict(part.split("=") for part in sys.argv[3].split())
errors = dict(part.split("=") for part in sys.argv[4].split())
ok = True
bad = {s: n for s, n in statuses.items() if not (s.startswith("2") or s in ("503", "429"))}
if bad or not statuses:
    print(f"   FAIL: answers other than 2xx/503/429: {bad or 'none at all'}"); ok = False
broken = {k: v for k, v in errors.items() if k in ("read", "write", "timeout") and int(v) > 0}
if broken:
    print(f"   FAIL: requests not answered: {broken}"); ok = False
half = len(samples) // 2
first, second = max(samples[:half] or [0]), max(samples[half:] or [0])
growth = (second - first) * 100.0 / first if first else 0
print(f"   resident memory MiB: start {samples[0]//1024}, peak first half {first//1024}, peak second half {second//1024} "
      f"({growth:+.1f} %), end {samples[-1]//1024}")
print("   resident MiB every 3 s: " + " ".join(str(kib // 1024) for kib in samples[::3]))
if growth > limit:
    print(f"   FAIL: memory still growing (limit {limit} %)"); ok = False
sys.exit(0 if ok else 1)
PY
}

for kind in ${FLOOD_KINDS:-single batches}; do
    case $kind in
        single) flood single 1 ;;
        batches) flood batches "${FLOOD_BATCH_SIZE:-100}" ;;
    esac
done

echo "== after the floods: resident $(( $(rss_kib) / 1024 )) MiB"
curl -s "http://127.0.0.1:$port/metrics" | grep -E "^gateway_(overload_rejections_total|pending_records|http_requests_total|http_buffered_request_bytes|kafka_producer_queue_depth|monitor_consumed_total)" | sed 's/^/   /'
sleep 2
ready=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz")
post=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    -d '{"id":"after-flood","account_id":"acc-1","amount":"1.00","currency":"BRL"}' "$url")
echo "   /readyz $ready, POST $post"
[ "$ready" = 200 ] && [ "$post" = 202 ] || { echo "   FAIL: not healthy after the flood"; failed=1; }
if [ "${FLOOD_CONSUMERS:-0}" -gt 0 ]; then
    # The monitor may lag under a flood (ingestion comes first, see --monitor-niceness); it must
    # catch up afterwards: the summed gateway_consumer_lag back to 0 within FLOOD_CATCHUP_SECONDS.
    lag() { curl -s "http://127.0.0.1:$port/metrics" | awk '/^gateway_consumer_lag\{/ {s += $2} END {print s + 0}'; }
    started=$(date +%s); peak_lag=$(lag); current=$peak_lag
    while [ "$current" != 0 ] && [ $(( $(date +%s) - started )) -lt "${FLOOD_CATCHUP_SECONDS:-300}" ]; do
        sleep 1; current=$(lag)
    done
    echo "   monitor lag after the floods: $peak_lag records; $current after $(( $(date +%s) - started )) s"
    # The embedded cluster keeps about 5 MB per partition (librdkafka's mock log limit): a consumer
    # that lags further finds its offset gone and resets, skipping records. Say so when it happened.
    resets=$(grep -c 'offset reset' "$work/gateway.log" || true)
    [ "$resets" = 0 ] || echo "   NOTE: $resets consumer offset resets: the monitor skipped records the embedded cluster had already dropped"
    [ "$current" = 0 ] || { echo "   FAIL: the monitor did not catch up"; failed=1; }
fi
[ "$failed" = 0 ] && echo "flood: PASS" || { echo "flood: FAIL"; grep -E 'error|warning' "$work/gateway.log" | cut -c1-300 | sort -k3 | uniq -c -f2 | sort -rn | head -8; exit 1; }
