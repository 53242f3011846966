# Sourced by the bench scripts: `gateway kafka` (the embedded cluster in its own process) and a
# gateway pointed at it, both stopped by their PIDs on exit, in a scratch folder.
# Needs $binary and $port; extra arguments go to `gateway serve`. Sets $work, $pids and $gateway
# (the gateway's PID), and returns once /readyz answers 200 (or after 30 s).
work=$(mktemp -d)
pids=()
# KEEP_LOGS=<folder> keeps the processes' logs there (the scratch folder goes with the exit).
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    if [ -n "${KEEP_LOGS:-}" ]; then mkdir -p "$KEEP_LOGS" && cp "$work"/*.log "$KEEP_LOGS"/ 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

start_cluster_and_gateway() {
    "$binary" kafka --log-level warning > "$work/bootstrap" 2> "$work/kafka.log" &
    pids+=($!)
    for _ in $(seq 1 100); do [ -s "$work/bootstrap" ] && break; sleep 0.1; done
    GATEWAY_LOG_LEVEL=${GATEWAY_LOG_LEVEL:-warning} "$binary" serve --host 127.0.0.1 --port "$port" \
        --bootstrap-servers "$(head -1 "$work/bootstrap")" "$@" > "$work/gateway.log" 2>&1 &
    gateway=$!
    pids+=($gateway)
    for _ in $(seq 1 150); do curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
}
