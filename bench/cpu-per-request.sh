#!/usr/bin/env bash
# CPU time of the gateway process per acknowledged POST, with the cluster in its own process
# (`gateway kafka`), so the figure is the gateway's own work. Less sensitive to a busy machine than
# requests per second (it counts the process's user+sys ticks, not wall time), so it is the figure
# to compare two builds by. Usage: bench/cpu-per-request.sh [gateway binary] [duration] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-.build/release/gateway}
duration=${2:-10s}
connections=${3:-64}
port=18082
source bench/cluster-and-gateway.sh
start_cluster_and_gateway --consumers 0
wrk -t1 -c"$connections" -d3s -s bench/many-accounts.lua http://127.0.0.1:18082/transactions >/dev/null

ticks() { awk '{print $14 + $15}' "/proc/$gateway/stat"; }
before=$(ticks)
wrk -t1 -c"$connections" -d"$duration" -s bench/many-accounts.lua http://127.0.0.1:18082/transactions > "$work/wrk.txt"
after=$(ticks)
requests=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
hz=$(getconf CLK_TCK)
python3 -c "r=$requests; t=($after-$before)/$hz; print(f'{r} requests, gateway CPU {t:.2f} s = {t/r*1e6:.1f} us per request')"
