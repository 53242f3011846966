#!/usr/bin/env bash
# Latency of one NDJSON batch on an idle gateway: N transactions of one account (one partition)
# against N transactions of N accounts (every partition, every broker). The cluster runs in its own
# process (`gateway kafka`), the monitor is off, so the figure is the produce path alone.
# Usage: bench/batch-latency.sh [gateway binary] [transactions per batch] [repetitions] [serve flags...]
# Prints the median and max of curl's time_total for each shape.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-.build/release/gateway}
size=${2:-20}
reps=${3:-21}
port=18090
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

"$binary" kafka --log-level warning > "$work/bootstrap" 2> "$work/kafka.log" &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$work/bootstrap" ] && break; sleep 0.1; done
GATEWAY_LOG_LEVEL=warning "$binary" serve --host 127.0.0.1 --port $port --consumers 0 \
    --bootstrap-servers "$(head -1 "$work/bootstrap")" "${@:4}" > "$work/gateway.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do curl -fsS http://127.0.0.1:$port/readyz >/dev/null 2>&1 && break; sleep 0.2; done

# One body per shape and repetition (unique ids, so nothing is a replay).
batch() {  # $1: shape (one|many), $2: repetition
    python3 - "$1" "$2" "$size" <<'PY'
import sys
shape, rep, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(size):
    account = "acc-1" if shape == "one" else f"acc-{i}"
    print(f'{{"id":"{shape}-{rep}-{i}","account_id":"{account}","amount":"10.00","currency":"BRL","timestamp":"2026-11-25T16:20:00Z"}}')
PY
}
post() { curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H 'Content-Type: application/x-ndjson' --data-binary @- http://127.0.0.1:$port/transactions; }

for shape in one many; do batch "$shape" 0 | post > /dev/null; done   # first produce waits for a producer id
for shape in one many; do
    for rep in $(seq 1 "$reps"); do batch "$shape" "$rep" | post; done > "$work/$shape.txt"
    python3 - "$shape" "$work/$shape.txt" "$size" <<'PY'
import sys, statistics
shape, path, size = sys.argv[1], sys.argv[2], sys.argv[3]
rows = [line.split() for line in open(path)]
codes = sorted({r[0] for r in rows})
times = [float(r[1]) * 1000 for r in rows]
label = "1 account " if shape == "one" else f"{size} accounts"
print(f"{size} transactions, {label}: median {statistics.median(times):6.1f} ms  max {max(times):6.1f} ms  (status {','.join(codes)}, n={len(times)})")
PY
done
