#!/usr/bin/env bash
# The whole test suite: unit, server-over-sockets, Kafka (embedded cluster) and end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --build-tests
swift test --skip-build "$@"
