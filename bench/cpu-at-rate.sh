#!/usr/bin/env bash
# CPU time of the gateway per acknowledged single POST at a fixed open-loop rate (txgen --rate), with
# the monitor on and the cluster in its own process: a rate the monitor keeps up with, so every
# answer is a 202 and the figure is the cost of an acknowledged request, not of cheap 503s (a closed
# loop faster than the monitor gets "Monitor behind" answers). nginx answers the same load in the
# same run for the ratio.
# Usage: bench/cpu-at-rate.sh [gateway binary] [rate] [duration] [txgen binary]
# PORT (default 18731), NGINX_PORT (default 18732). Extra `gateway serve` flags: GATEWAY_ARGS.
# PERF_OUT=file records a call-graph profile of the gateway during its load (perf record -g; of
# PERF_EVENTS, e.g. syscalls:sys_enter_poll, if given).
# PERF_STAT=events counts perf events in the gateway during its load, e.g. system calls:
# PERF_STAT=raw_syscalls:sys_enter,syscalls:sys_enter_fcntl,context-switches (printed per accepted POST).
# THREADS=1 prints the gateway's CPU per accepted POST by thread name (rdk:broker* of every client together).
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-.build/release/gateway}
rate=${2:-3000}
duration=${3:-10s}
txgen=${4:-$(dirname "$binary")/txgen}
port=${PORT:-18731}
nginx_port=${NGINX_PORT:-18732}
source bench/cluster-and-gateway.sh
start_cluster_and_gateway ${GATEWAY_ARGS:-}
cluster=${pids[0]}
mkdir -p "$work/logs"
cat > "$work/nginx.conf" <<NGINX
daemon off; master_process off; worker_processes 1; error_log $work/logs/error.log; pid $work/nginx.pid;
events { worker_connections 4096; }
http { access_log off; client_body_temp_path $work; keepalive_requests 10000000;
  server { listen 127.0.0.1:$nginx_port; location / { return 202 '{"id":"tx","status":"accepted"}'; } } }
NGINX
nginx -c "$work/nginx.conf" -p "$work" &
pids+=($!)
nginx=$!
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
load() {  # $1 url $2 pid to measure -> "accepted ticks p50 p99"
    local before after
    before=$(ticks "$2")
    "$txgen" --url "$1" --rate "$rate" --duration "$duration" --concurrency 64 --accounts 1000000 --json --quiet --start-time now > "$work/txgen.json"
    after=$(ticks "$2")
    python3 -c "import json; s=json.load(open('$work/txgen.json')); l=s.get('latency_from_schedule_ms', {}); print(s.get('accepted', 0), $after - $before, l.get('p50', -1), l.get('p99', -1))"
}
"$txgen" --url "http://127.0.0.1:$port/transactions" --rate 1000 --duration 3s --concurrency 16 --quiet --start-time now >/dev/null 2>&1 || true
read -r n_ok n_ticks n_p50 n_p99 < <(load "http://127.0.0.1:$nginx_port/transactions" "$nginx")
cluster_before=$(ticks "$cluster")
if [ -n "${PERF_OUT:-}" ]; then
    perf record -q -g ${PERF_EVENTS:+-e "$PERF_EVENTS"} -p "$gateway" -o "$PERF_OUT" 2>/dev/null &
    perf_pid=$!
fi
thread_ticks() { for t in /proc/"$gateway"/task/*; do echo "$(cat "$t/comm" | tr ' ' _) $(awk '{print $14 + $15}' "$t/stat")"; done 2>/dev/null; }
[ "${THREADS:-0}" = 1 ] && thread_ticks > "$work/threads-before.txt"
if [ -n "${PERF_STAT:-}" ]; then
    perf stat -x, -e "$PERF_STAT" -p "$gateway" -o "$work/perf-stat.txt" &
    stat_pid=$!
fi
read -r g_ok g_ticks g_p50 g_p99 < <(load "http://127.0.0.1:$port/transactions" "$gateway")
cluster_after=$(ticks "$cluster")
[ "${THREADS:-0}" = 1 ] && thread_ticks > "$work/threads-after.txt"
if [ -n "${PERF_OUT:-}" ]; then kill -INT "$perf_pid"; wait "$perf_pid" || true; fi
if [ -n "${PERF_STAT:-}" ]; then kill -INT "$stat_pid"; wait "$stat_pid" || true; fi
hz=$(getconf CLK_TCK)
python3 -c "
hz=$hz
g=$g_ticks/hz/max(1,$g_ok)*1e6; n=$n_ticks/hz/max(1,$n_ok)*1e6; c=($cluster_after-$cluster_before)/hz/max(1,$g_ok)*1e6
print(f'rate $rate/s for $duration: gateway {$g_ok} accepted, {g:.1f} us CPU per accepted POST (cluster {c:.1f}), p50/p99 from schedule {$g_p50:.2f}/{$g_p99:.2f} ms')
print(f'nginx {$n_ok} answered, {n:.1f} us CPU per request, p50/p99 {$n_p50:.2f}/{$n_p99:.2f} ms; gateway/nginx CPU ratio {g/n:.1f}x')"
if [ -n "${PERF_STAT:-}" ]; then
    awk -F, -v n="$g_ok" '$3 != "" && $1 ~ /^[0-9.]+$/ {printf "%s: %.2f per accepted POST\n", $3, $1 / (n > 0 ? n : 1)}' "$work/perf-stat.txt"
fi
if [ "${THREADS:-0}" = 1 ]; then
    # Threads that ended during the load are missing from the after list; those that began count from 0.
    awk -v n="$g_ok" -v hz="$(getconf CLK_TCK)" 'NR == FNR {before[$1] += $2; next} {after[$1] += $2}
        END {for (name in after) { d = after[name] - before[name]; if (d > 0) printf "  %-18s %6.1f us per accepted POST\n", name, d / hz / (n > 0 ? n : 1) * 1e6 }}' \
        "$work/threads-before.txt" "$work/threads-after.txt" | sort -k2 -n -r
fi
