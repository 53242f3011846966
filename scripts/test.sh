#!/usr/bin/env bash
# The whole test suite: unit, server-over-sockets, Kafka (embedded cluster) and end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --build-tests
# Serial: the suites start Kafka clusters and gateways; run side by side on two cores, their
# timing-sensitive parts (group rebalances, delivery timeouts) get starved.
swift test --skip-build --no-parallel "$@"
