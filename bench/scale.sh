#!/usr/bin/env bash
# The monitor at a payment network's size: SCALE_ACCOUNTS accounts (default a million) and at least
# SCALE_TRANSACTIONS transactions (default 10 M) in NDJSON batches of 100 at the machine's full rate,
# against `gateway kafka` plus one gateway, then a SIGTERM and restart, then a kill -9 and restart.
#
# Reports, from samples every 2 s (written to $SCALE_OUT/samples.csv when SCALE_OUT is set):
# - the gateway's resident memory over time (peak and last),
# - state changelog bytes per second and the largest changelog record,
# - the monitor's summed consumer lag and skipped records,
# - the /stats total (and the 15-minute window) before and after each restart, and how long each
#   restart took until /stats showed the same total again from the gateway's own partitions.
# Usage: bench/scale.sh [gateway binary]   (default .build/release/gateway; gateway flags can be
#        added in GATEWAY_* variables)
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-.build/release/gateway}
port=${SCALE_PORT:-18095}
accounts=${SCALE_ACCOUNTS:-1000000}
target=${SCALE_TRANSACTIONS:-10000000}
connections=${SCALE_CONNECTIONS:-16}
export ACCOUNTS=$accounts BATCH=100

source bench/cluster-and-gateway.sh
state="$work/state"
# A short session: librdkafka's mock coordinator completes a rebalance only after session.timeout.ms.
serve_flags=(--state-dir "$state" -X session.timeout.ms=6000 -X heartbeat.interval.ms=500)
start_cluster_and_gateway "${serve_flags[@]}"
base="http://127.0.0.1:$port"
# The lag bound covers the partitions this instance owns: with the cluster in its own process a
# flood before the group has formed would outrun the cluster's retention (see README).
for _ in $(seq 1 150); do
    curl -fsS "$base/metrics" | grep -q '^gateway_consumer_assigned_partitions 6' && break
    sleep 0.2
done
out=${SCALE_OUT:-$work}
mkdir -p "$out"
[ -n "${SCALE_OUT:-}" ] && KEEP_LOGS=$SCALE_OUT
samples="$out/samples.csv"
echo "seconds,rss_mib,changelog_bytes,largest_record,lag,skipped,total" > "$samples"

# awk stops at the first match: curl may then die of SIGPIPE, which pipefail must not turn into an
# exit of this script (it did, at random, once /metrics outgrew the pipe's buffer).
metric() { { curl -fsS -m 10 "$base/metrics" 2>/dev/null || true; } | awk -v n="$1" '$1 == n {print $2; exit}'; }
lag() { curl -fsS "$base/metrics" 2>/dev/null | awk '/^gateway_consumer_lag\{/ {s += $2} END {print s + 0}'; }
skipped() { curl -fsS "$base/metrics" 2>/dev/null | awk '/^gateway_monitor_skipped_records_total/ {s += $2} END {print s + 0}'; }
stats() {  # total and 15m count, and whether all 6 partitions are live
    curl -fsS "$base/stats" 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
parts = d.get("partitions") or []
live = len([p for p in parts if p.get("source") == "live"])
print(d["total"]["count"], d["windows"]["15m"]["count"], live)' 2>/dev/null || echo "-1 -1 0"
}
# The sampler runs in a subshell: it reads the current gateway's PID from a file.
echo "$gateway" > "$work/gateway.pid"
rss_mib() { awk '/^VmRSS/ {print int($2 / 1024)}' "/proc/$(cat "$work/gateway.pid")/status" 2>/dev/null || echo 0; }

started=$(date +%s)
sampler() {
    while true; do
        now=$(( $(date +%s) - started ))
        read -r total _ _ < <(stats)
        echo "$now,$(rss_mib),$(metric gateway_monitor_state_bytes_written_total),$(metric gateway_monitor_state_largest_record_bytes),$(lag),$(skipped),$total" >> "$samples"
        sleep 2
    done
}
sampler &
sampler_pid=$!
pids+=("$sampler_pid")

# 1. Load until the target is acknowledged, in 20 s wrk runs.
acknowledged=0
load_started=$(date +%s)
round=0
while [ "$acknowledged" -lt "$target" ]; do
    # Each wrk run numbers its ids from 1 again: a run id of its own keeps them unique (the monitor
    # would otherwise count a repeated id once, as dedupe should).
    round=$((round + 1))
    n=$(RUN_ID="scale-$$-$round" wrk -t1 -c"$connections" -d20s -s bench/lua/scale.lua "$base/transactions" | awk '/^accepted/ {print $2}')
    acknowledged=$(( acknowledged + ${n:-0} ))
    echo "acknowledged $acknowledged of $target ($(rss_mib) MiB resident, lag $(lag))"
done
load_seconds=$(( $(date +%s) - load_started ))
if ! kill -0 "$gateway" 2>/dev/null; then
    echo "the gateway exited during the load; its log ends:"
    tail -20 "$work/gateway.log"
    exit 1
fi
changelog_bytes=$(metric gateway_monitor_state_bytes_written_total)
echo "load: $acknowledged transactions in ${load_seconds}s = $(( acknowledged / load_seconds )) tx/s; state changelog ${changelog_bytes%.*} bytes = $(( ${changelog_bytes%.*} / load_seconds )) bytes/s, largest record $(metric gateway_monitor_state_largest_record_bytes) bytes"

# 2. Let the monitor catch up (bounded: 10 minutes).
for _ in $(seq 1 300); do [ "$(lag)" = 0 ] && break; sleep 2; done
sleep 3
read -r before window_before _ < <(stats)
# wrk counts the answers it read; the gateway's counter of acknowledged records also has those in flight
# when a wrk run ended (and the alerts it produced).
echo "after the load: /stats total $before (15m window $window_before), acknowledged $acknowledged by wrk's count and $(metric gateway_kafka_produced_total) by the gateway's, skipped $(skipped), lag $(lag)"

restart() {  # how: TERM or KILL
    kill "-$1" "$gateway"
    wait "$gateway" 2>/dev/null || true
    local t0; t0=$(date +%s.%N)
    GATEWAY_LOG_LEVEL=${GATEWAY_LOG_LEVEL:-warning} "$binary" serve --host 127.0.0.1 --port "$port" \
        --bootstrap-servers "$(head -1 "$work/bootstrap")" "${serve_flags[@]}" >> "$work/gateway.log" 2>&1 &
    gateway=$!
    pids+=("$gateway")
    echo "$gateway" > "$work/gateway.pid"
    local total=-1 window=-1 live=0
    for _ in $(seq 1 600); do
        read -r total window live < <(stats)
        [ "$total" = "$before" ] && [ "$live" = 6 ] && break
        sleep 0.2
    done
    local took; took=$(echo "$(date +%s.%N) - $t0" | bc)
    echo "after SIG$1 and restart: /stats total $total (15m window $window) from $live live partitions, in ${took}s; restores read $(metric gateway_monitor_state_restore_records_total) changelog records"
}
restart TERM
before=$(stats | awk '{print $1}')
restart KILL

kill "$sampler_pid" 2>/dev/null || true
awk -F, 'NR > 1 { if ($2 > peak) peak = $2; if ($4 > largest) largest = $4; last = $2; bytes = $3; t = $1 }
    END { printf "resident memory: peak %d MiB, last %d MiB; largest changelog record %d bytes\n", peak, last, largest }' "$samples"
echo "samples: $samples"
