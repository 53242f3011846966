#!/usr/bin/env bash
# Instructions per single POST in the gateway process, counted by callgrind (stable on a busy machine,
# unlike wall-clock rates). The cluster runs in its own `gateway kafka` process (not counted); the
# gateway runs under valgrind. After a warm-up, counters are zeroed, exactly N realistic POSTs are
# sent (bench/post-n.py), and the counters are dumped: instructions / N is the figure, start-up excluded.
# Usage: bench/callgrind-per-request.sh [gateway binary] [N] [connections]
# BATCH=B (B > 1) sends N NDJSON batches of B transactions instead and prints the count per
# transaction, so that batches of 100 and of 1000 can be compared.
# CONSUMERS=N (default 0) runs the monitor; OUT=dir keeps the callgrind file (default: a scratch folder).
# Prints the total and per-request count, then the top inclusive costs (callgrind_annotate).
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-.build/release/gateway}
requests=${2:-2000}
connections=${3:-16}
port=${PORT:-18383}
work=$(mktemp -d)
out=${OUT:-$work}
mkdir -p "$out"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

# Debian's valgrind 3.19 cannot read Swift 6's DWARF 5 (it gives up on the binary): a copy without
# debug info keeps the symbol table, enough for per-function costs. The shim works around a
# valgrind crash in libdispatch's sigsuspend (see bench/valgrind-sigsuspend.c).
strip --strip-debug -o "$work/gateway" "$binary"
cc -shared -fPIC -O2 -o "$work/sigsuspend.so" bench/valgrind-sigsuspend.c -ldl

"$binary" kafka --log-level warning > "$work/bootstrap" 2> "$work/kafka.log" &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$work/bootstrap" ] && break; sleep 0.1; done
GATEWAY_LOG_LEVEL=warning LD_PRELOAD="$work/sigsuspend.so" valgrind --tool=callgrind \
    --callgrind-out-file="$out/callgrind.out" "$work/gateway" serve --host 127.0.0.1 --port "$port" --bootstrap-servers "$(head -1 "$work/bootstrap")" \
    --consumers "${CONSUMERS:-0}" > "$work/gateway.log" 2>&1 &
gateway=$!
pids+=($gateway)
for _ in $(seq 1 1500); do curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null || { echo "gateway not ready under valgrind:"; tail -20 "$work/gateway.log"; exit 1; }
url=http://127.0.0.1:$port/transactions
BATCH=1 python3 bench/post-n.py "$url" 500 "$connections" >/dev/null   # warm-up: connections, producer, caches
callgrind_control -z "$gateway" >/dev/null
answered=$(python3 bench/post-n.py "$url" "$requests" "$connections")
callgrind_control -d "$gateway" >/dev/null
file=$(ls -t "$out"/callgrind.out* | head -1)
total=$(awk '/^summary:|^totals:/ {print $2; exit}' "$file")
batch=${BATCH:-1}
echo "answered 2xx (with BATCH: items accepted): $answered"
python3 -c "n=$requests*$batch; print(f'{$total} instructions / {n} transactions in $requests requests = {$total/n:,.0f} per transaction (batch: $batch, consumers: ${CONSUMERS:-0})')"
callgrind_annotate --inclusive=yes "$file" 2>/dev/null | swift demangle --simplified | head -"${TOP:-60}"
