#!/usr/bin/env bash
# Single-transaction POST throughput: the gateway (release build, embedded cluster) beside nginx
# answering a static 202, measured in the same run with the same wrk settings (the machine is shared
# and noisy, so only the ratio means much). Usage: bench/run.sh [duration] [connections] [gateway flags...]
# Each target gets a 3 s warm-up first (the first idempotent produce waits for a producer id).
# Also measured: the gateway with bench/lua/many-accounts.lua (10,000 accounts over all partitions).
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10s}
connections=${2:-64}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

swift build -c release --product gateway >/dev/null

source bench/nginx-static.sh
start_nginx 18081

GATEWAY_LOG_LEVEL=warning .build/release/gateway serve --host 127.0.0.1 --port 18080 "${@:3}" > "$work/gateway.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do curl -fsS http://127.0.0.1:18080/readyz >/dev/null 2>&1 && break; sleep 0.2; done

wrk -t1 -c"$connections" -d3s -s bench/lua/transaction.lua http://127.0.0.1:18081/transactions >/dev/null
wrk -t1 -c"$connections" -d3s -s bench/lua/transaction.lua http://127.0.0.1:18080/transactions >/dev/null
wrk -t1 -c"$connections" -d3s -s bench/lua/many-accounts.lua http://127.0.0.1:18080/transactions >/dev/null
echo "== nginx static 202 (1 worker) =="
wrk -t1 -c"$connections" -d"$duration" -s bench/lua/transaction.lua http://127.0.0.1:18081/transactions | tee "$work/nginx.txt"
echo "== gateway POST /transactions (acks=all, embedded 3-broker cluster) =="
wrk -t1 -c"$connections" -d"$duration" -s bench/lua/transaction.lua http://127.0.0.1:18080/transactions | tee "$work/gateway.txt"

echo "== gateway, 10,000 accounts (bench/lua/many-accounts.lua) =="
wrk -t1 -c"$connections" -d"$duration" -s bench/lua/many-accounts.lua http://127.0.0.1:18080/transactions | tee "$work/many.txt"

n=$(awk '/Requests\/sec/ {print $2}' "$work/nginx.txt")
g=$(awk '/Requests\/sec/ {print $2}' "$work/gateway.txt")
m=$(awk '/Requests\/sec/ {print $2}' "$work/many.txt")
python3 -c "print(f'gateway/nginx = {float($g)/float($n):.3f}  (gateway {float($g):.0f} req/s, nginx {float($n):.0f} req/s); 10k accounts: {float($m):.0f} req/s = {float($m)/float($n):.3f} of nginx')"
