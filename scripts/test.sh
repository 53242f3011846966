#!/usr/bin/env bash
# The whole test suite: a bounded libFuzzer run (scripts/fuzz.sh), then unit, server-over-sockets,
# Kafka (embedded cluster) and end-to-end tests. The fuzz run comes first so that the test runner's
# summary is the last thing printed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --build-tests
# Coverage-guided fuzzing of the HTTP parser and the transaction reader, 30 s each (about two
# minutes with its own build; FUZZ_SECONDS changes it, 0 skips it).
if [ "${FUZZ_SECONDS:-30}" != 0 ]; then
    scripts/fuzz.sh
fi
# Serial: the suites start Kafka clusters and gateways; run side by side on two cores, their
# timing-sensitive parts (group rebalances, delivery timeouts) get starved.
swift test --skip-build --no-parallel "$@"
