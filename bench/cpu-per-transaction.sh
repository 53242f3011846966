#!/usr/bin/env bash
# CPU time per TRANSACTION of NDJSON batches (bench/lua/realistic.lua with BATCH), for the gateway,
# the cluster process (`gateway kafka`) and the monitor's consumer threads alone, so that ingest cost
# and monitor cost can be told apart (user+sys ticks from /proc: a busy machine disturbs them far
# less than rates). With consumers, it first waits until the monitor's group owns every partition
# (else a short run measures no monitor at all), and prints how many records the monitor consumed.
# Usage: BATCH=100 CONSUMERS=3 bench/cpu-per-transaction.sh [gateway binary] [duration] [connections] [serve flags...]
# Defaults: BATCH=100, CONSUMERS=0, PORT=18182.
set -euo pipefail
export BATCH=${BATCH:-100}
cd "$(dirname "$0")/.."
binary=${1:-.build/release/gateway}
duration=${2:-10s}
connections=${3:-16}
port=${PORT:-18182}
source bench/cluster-and-gateway.sh
start_cluster_and_gateway --consumers "${CONSUMERS:-0}" "${@:4}"
cluster=${pids[0]}
metric() { curl -s http://127.0.0.1:$port/metrics | awk -v m="$1" '$1 ~ "^"m"({|$)" {s += $2} END {print s + 0}'; }
if [ "${CONSUMERS:-0}" -gt 0 ]; then
    # The monitor's group must own every partition before the measurement, or it measures nothing.
    for _ in $(seq 1 120); do [ "$(metric gateway_consumer_assigned_partitions)" -ge 6 ] && break; sleep 0.5; done
    echo "assigned partitions: $(metric gateway_consumer_assigned_partitions)"
fi
wrk -t1 -c"$connections" -d3s -s bench/lua/realistic.lua http://127.0.0.1:$port/transactions >/dev/null

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
mticks() { for t in /proc/$1/task/*; do grep -q '^kafka-c-monitor' $t/comm 2>/dev/null && awk "{print \$14 + \$15}" $t/stat || true; done | awk '{s += $1} END {print s + 0}'; }
mbefore=$(mticks $gateway)
consumed_before=$(metric gateway_monitor_consumed_total)
before=$(ticks $gateway)
cluster_before=$(ticks $cluster)
wrk -t1 -c"$connections" -d"$duration" -s bench/lua/realistic.lua http://127.0.0.1:$port/transactions > "$work/wrk.txt"
after=$(ticks $gateway)
mafter=$(mticks $gateway)
consumed_after=$(metric gateway_monitor_consumed_total)
cluster_after=$(ticks $cluster)
requests=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
non2xx=$(awk '/Non-2xx/ {print $NF}' "$work/wrk.txt")
hz=$(getconf CLK_TCK)
python3 -c "r=$requests; b=${BATCH:-1}; t=($after-$before)/$hz; c=($cluster_after-$cluster_before)/$hz; print(f'{r} requests, gateway CPU {t:.2f} s = {t/r*1e6:.1f} us per request, cluster CPU {c:.2f} s = {c/r*1e6:.1f} us per request (consumers: ${CONSUMERS:-0}, non-2xx: ${non2xx:-0})'); b > 1 and print(f'batches of {b}: {r*b} transactions, gateway {t/(r*b)*1e6:.2f} us, cluster {c/(r*b)*1e6:.2f} us per transaction, monitor consumer threads {($mafter-$mbefore)/$hz/(r*b)*1e6:.2f} us per transaction; monitor consumed {$consumed_after-$consumed_before:.0f}')"
