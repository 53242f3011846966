#!/usr/bin/env bash
# CPU time of the gateway process per acknowledged POST, with the cluster in its own process
# (`gateway kafka`), so the figure is the gateway's own work. Less sensitive to a busy machine than
# requests per second (it counts the process's user+sys ticks, not wall time), so it is the figure
# to compare two builds by. Usage: bench/cpu-per-request.sh [gateway binary] [duration] [connections]
# CONSUMERS=N (default 0) runs the monitor with N consumers; the cluster process's CPU is printed too.
# PORT (default 18082): the gateway refuses a busy port, so parallel runs need different ports.
# SCRIPT=bench/lua/realistic.lua (default bench/lua/many-accounts.lua) picks the wrk script.
# CATCH_UP=1 waits for the monitor's lag to return to 0 before reading the CPU time (see below).
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-.build/release/gateway}
duration=${2:-10s}
connections=${3:-64}
port=${PORT:-18082}
source bench/cluster-and-gateway.sh
# GATEWAY_ARGS: more `gateway serve` flags, e.g. "--producers 1 --linger-ms 2".
start_cluster_and_gateway --consumers "${CONSUMERS:-0}" ${GATEWAY_ARGS:-}
cluster=${pids[0]}
wrk -t1 -c"$connections" -d3s -s "${SCRIPT:-bench/lua/many-accounts.lua}" http://127.0.0.1:$port/transactions >/dev/null

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
user_ticks() { awk '{print $14}' "/proc/$1/stat"; }
# Context switches of every thread of the gateway: each one is a wake-up (futex, eventfd, epoll).
switches() { cat /proc/"$1"/task/*/status | awk '/ctxt_switches/ {s += $2} END {print s}'; }
before=$(ticks $gateway)
user_before=$(user_ticks $gateway)
switches_before=$(switches $gateway)
cluster_before=$(ticks $cluster)
wrk -t1 -c"$connections" -d"$duration" -s "${SCRIPT:-bench/lua/many-accounts.lua}" http://127.0.0.1:$port/transactions > "$work/wrk.txt"
if [ "${CATCH_UP:-0}" = 1 ]; then
    # CATCH_UP=1: a monitor that lags (it yields to ingestion, --monitor-niceness) does part of its
    # work on these requests after wrk ends; wait (at most 300 s) until its summed lag is 0 so that
    # the figure includes that work.
    lag() { curl -s http://127.0.0.1:$port/metrics | awk '/^gateway_consumer_lag\{/ {s += $2} END {print s + 0}'; }
    for _ in $(seq 1 300); do [ "$(lag)" = 0 ] && break; sleep 1; done
fi
after=$(ticks $gateway)
user_after=$(user_ticks $gateway)
switches_after=$(switches $gateway)
cluster_after=$(ticks $cluster)
requests=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
hz=$(getconf CLK_TCK)
python3 -c "r=$requests; t=($after-$before)/$hz; c=($cluster_after-$cluster_before)/$hz; u=($user_after-$user_before)/$hz; s=$switches_after-$switches_before
print(f'{r} requests, gateway CPU {t:.2f} s = {t/r*1e6:.1f} us per request (user {u/r*1e6:.1f}, sys {(t-u)/r*1e6:.1f}; {s/r:.2f} context switches per request), cluster CPU {c:.2f} s = {c/r*1e6:.1f} us per request (consumers: ${CONSUMERS:-0})')"
grep -E "Latency|Requests/sec" "$work/wrk.txt"
