#!/usr/bin/env bash
# One command for a newcomer: install what is missing, build (release), start the gateway on :8080
# with the embedded 3-broker Kafka cluster. Extra arguments go to `gateway serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --product gateway
exec .build/release/gateway serve "$@"
