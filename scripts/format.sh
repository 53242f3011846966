#!/usr/bin/env bash
# Formats the Swift tree with the toolchain's swift-format and .swift-format (swift-nio's settings,
# less OnlyOneTrailingClosureArgument: tests pass a handler and then a trailing body on purpose).
# `scripts/format.sh --check` changes nothing and fails on any finding; CI runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
paths=(Package.swift Sources Tests Benchmarks Fuzz)
if [ "${1:-}" = "--check" ]; then
    swift format lint --strict --recursive --parallel "${paths[@]}"
else
    swift format format --in-place --recursive --parallel "${paths[@]}"
fi
