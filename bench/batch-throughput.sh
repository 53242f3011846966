#!/usr/bin/env bash
# NDJSON batch throughput through the ingest path: batches of 100 (16 connections) and of 1000
# (4 connections) of bench/lua/realistic.lua, the monitor off (`--consumers 0`), the cluster in its
# own process (`gateway kafka`), beside nginx answering a static 202 to the same bodies with the same
# wrk settings in the same run (the machine is shared and noisy: the ratio means more than the rate).
# Usage: bench/batch-throughput.sh [gateway binary] [duration] [serve flags...]
# Prints, per batch size: nginx req/s, gateway req/s, the ratio, and the gateway's transactions/s
# (2xx answers x batch size; wrk does not count answers in flight when it stops).
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-.build/release/gateway}
duration=${2:-10s}
port=${PORT:-18184}
nginx_port=$((port + 1))
source bench/cluster-and-gateway.sh
source bench/nginx-static.sh
start_nginx "$nginx_port"
start_cluster_and_gateway --consumers 0 "${@:3}"

run() {  # $1: batch, $2: connections, $3: url, $4: duration
    BATCH=$1 wrk -t1 -c"$2" -d"$4" -s bench/lua/realistic.lua "$3"
}
for case in "100 16" "1000 4"; do
    set -- $case
    run "$1" "$2" "http://127.0.0.1:$nginx_port/transactions" 3s >/dev/null
    run "$1" "$2" "http://127.0.0.1:$port/transactions" 3s >/dev/null
    run "$1" "$2" "http://127.0.0.1:$nginx_port/transactions" "$duration" > "$work/nginx-$1.txt"
    run "$1" "$2" "http://127.0.0.1:$port/transactions" "$duration" > "$work/gateway-$1.txt"
    n=$(awk '/Requests\/sec/ {print $2}' "$work/nginx-$1.txt")
    g=$(awk '/Requests\/sec/ {print $2}' "$work/gateway-$1.txt")
    errors=$(awk '/Non-2xx/ {print $NF}' "$work/gateway-$1.txt")
    python3 -c "b=$1; n=float($n); g=float($g); print(f'batches of {b} ({$2} conns): nginx {n:,.0f} req/s, gateway {g:,.0f} req/s = {g/n:.3f} of nginx, {g*b:,.0f} transactions/s (non-2xx: ${errors:-0})')"
done
