#!/usr/bin/env bash
# A batch flood against one gateway with its in-process embedded cluster, then: did every accepted
# transaction reach /stats? Prints accepted, statuses, the /stats total, skipped records and the
# back-pressure state once the monitor has caught up.
# Usage: bench/monitor-flood.sh LABEL SECONDS [gateway flags...]
#   e.g. bench/monitor-flood.sh off-nice10 30 --monitor-niceness 10 --max-monitor-lag 0
# Binaries: .build/release/{gateway,txgen} (BIN=... to change); port MONITOR_FLOOD_PORT (18110).
set -euo pipefail
cd "$(dirname "$0")/.."
label=$1; seconds=$2; shift 2
bin=${BIN:-.build/release}
port=${MONITOR_FLOOD_PORT:-18110}
work=$(mktemp -d)
"$bin/gateway" serve --host 127.0.0.1 --port "$port" "$@" > "$work/gateway.log" 2>&1 &
gateway=$!
trap 'kill -TERM $gateway 2>/dev/null || true; wait $gateway 2>/dev/null || true' EXIT
metric() { curl -s -m1 "localhost:$port/metrics" | awk -v name="$1" '$1 ~ "^"name {s += $2} END {print s + 0}'; }
for _ in $(seq 1 100); do sleep 0.1; [ "$(metric gateway_consumer_assigned_partitions)" = "6" ] && break; done
"$bin/txgen" --url "http://127.0.0.1:$port/transactions" --rate 0 --batch 100 --concurrency 16 \
    --duration "${seconds}s" --fraud-share 0 --accounts 1000000 --json 2>/dev/null > "$work/txgen.json"
for _ in $(seq 1 240); do sleep 0.5; [ "$(metric gateway_consumer_lag)" = "0" ] && break; done
sleep 1
curl -s "localhost:$port/stats" > "$work/stats.json"
python3 - "$label" "$work/txgen.json" "$work/stats.json" <<'PY'
import json, sys
label, run, stats = sys.argv[1], json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
print(f"{label}: accepted {run['accepted']} statuses {run['status_counts']} -> /stats total "
      f"{stats['total']['count']}, complete {stats['complete']}, skipped {stats['skipped_records']}, "
      f"backpressure {stats.get('backpressure')}")
PY
