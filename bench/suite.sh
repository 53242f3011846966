#!/usr/bin/env bash
# The benchmark suite: builds the gateway and txgen in release mode, starts `gateway kafka` (the
# embedded cluster in its own process), `gateway serve` against it (monitor on) and nginx-light
# answering a static 202, runs every case against both in the same run, and writes
# bench/RESULTS-suite.md (SUITE_OUT changes it). Cases: idle latency (one client, sequential POSTs),
# single POSTs at 64 and 256 connections with CPU per request, `Prefer: respond-async`, NDJSON batches
# of 100 and 1000, a rule storm, streaming ingest on 1 and 4 connections, GETs while ingesting, and open-loop p99 at 50/75/90 % of the
# 64-connection maximum (txgen --rate, nginx at the same rates).
# Not part of the test suite. Takes about 25 minutes with the defaults; SUITE_SHORT=1 runs a smoke
# version in a few minutes.
#   SUITE_DURATION       wrk duration per run (default 10s; short: 3s)
#   SUITE_WARMUP         warm-up per target (default 3s; short: 2s)
#   SUITE_OPEN_DURATION  txgen duration per open-loop rate (default 10s; short: 3s)
#   SUITE_REPS           repetitions of the 64-connection single-POST case (default 3; short: 3)
#   SUITE_LABEL          a line printed at the top of the results file (e.g. the conditions of the run)
#   SUITE_BIN            a directory with release gateway and txgen of this commit built elsewhere: no build here
#   SUITE_OUT            where to write the table instead of bench/RESULTS-suite.md (e.g. a baseline build run with SUITE_BIN)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${SUITE_SHORT:-0}" = 1 ]; then
    export SUITE_DURATION=${SUITE_DURATION:-3s} SUITE_WARMUP=${SUITE_WARMUP:-2s} SUITE_OPEN_DURATION=${SUITE_OPEN_DURATION:-3s}
fi
for tool in wrk nginx kcat python3; do command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }; done
if [ -z "${SUITE_BIN:-}" ]; then
    swift build -c release --product gateway >&2
    swift build -c release --product txgen >&2
fi
exec python3 bench/suite.py
