#!/usr/bin/env bash
# Coverage-guided fuzzing with libFuzzer (swiftc -sanitize=fuzzer,address), for a bounded time.
#
#   scripts/fuzz.sh                 # every target, FUZZ_SECONDS (default 30) each
#   scripts/fuzz.sh http_parser     # one target; FUZZ_SECONDS=600 for a longer run
#
# Targets (entry points in Fuzz/Targets, properties in the test suites' Fuzzing folders):
#   http_parser        HTTPParser: any split gives the same outcomes; an accepted request re-parses the same
#   transaction_json   TransactionJSONReader: never accepts what JSONDecoder rejects; where both accept, same payload
#
# SwiftPM builds the package normally, so the targets are compiled here with swiftc, against only the
# sources they need (each library part as its own module, with -enable-testing so the properties can
# use `@testable import` as in the tests), under .build-fuzz/. Seeds are Fuzz/corpus/<target>/ (kept
# in git and replayed by the ordinary test suites); what a run discovers goes to
# .build-fuzz/corpus/<target>/, crashes to .build-fuzz/artifacts/. A crash fails the script: turn it
# into a regression test, fix it, and add the input to the seed corpus.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-30}"
out=.build-fuzz
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(http_parser transaction_json)
mkdir -p "$out/modules" "$out/artifacts"

# -O: a fuzzer is worth its executions per second. lld: gold warns about ASan's local symbols.
flags=(-O -sanitize=fuzzer,address -parse-as-library -package-name gateway -use-ld=lld -I "$out/modules" -L "$out/modules")

# One part of a library as a static module: module name, then its sources.
module() {
    local name="$1"
    shift
    swiftc "${flags[@]}" -enable-testing -module-name "$name" -emit-module -emit-module-path "$out/modules/$name.swiftmodule" \
        -emit-library -static -o "$out/modules/lib$name.a" "$@"
}

build() {
    case "$1" in
    http_parser)
        # HeapTrimmer needs the CMalloc C module, which only SwiftPM builds; the parser does not use it.
        module CoreSupport $(ls Sources/CoreSupport/*.swift | grep -v '/HeapTrimmer\.swift$')
        # Methods and statuses are swift-http-types' (HTTPTypes), from SwiftPM's checkout of it, with the
        # availability names its Package.swift defines (without them every declaration warns).
        local types=.build/checkouts/swift-http-types
        [ -d "$types" ] || swift package resolve
        local availability=()
        while IFS= read -r macro; do
            availability+=(-enable-experimental-feature "AvailabilityMacro=$macro")
        done < <(sed -n 's/^ *"\(HTTPTypes [0-9.]*\)": "\([^"]*\)",*$/\1: \2/p' "$types/Package.swift")
        module HTTPTypes "${availability[@]}" "$types"/Sources/HTTPTypes/*.swift
        # HTTPRequest names the server's HTTPRequestBody, which needs the event loop: a stand-in takes its place.
        module HTTPCore Sources/HTTPCore/Parsing/*.swift Sources/HTTPCore/Messages/*.swift Sources/HTTPCore/Server/HTTPDate.swift \
            Fuzz/Targets/HTTPRequestBodyStandIn.swift
        swiftc "${flags[@]}" -module-name HTTPParserFuzz -lHTTPCore -lHTTPTypes -lCoreSupport -o "$out/http_parser" \
            Fuzz/Targets/HTTPParserTarget.swift Fuzz/Targets/PropertyCheck.swift Tests/HTTPCoreTests/Fuzzing/ParseDriver.swift \
            Tests/HTTPCoreTests/Fuzzing/HTTPParserProperties.swift
        ;;
    transaction_json)
        module GatewayKit Sources/GatewayKit/Model/{Amount,FieldError,JSONKey}.swift \
            Sources/GatewayKit/Ingest/JSON/{JSONSyntaxError,TransactionJSONReader,TransactionJSONReader+Cursor,TransactionPayload}.swift
        swiftc "${flags[@]}" -module-name TransactionJSONFuzz -lGatewayKit -o "$out/transaction_json" \
            Fuzz/Targets/TransactionJSONTarget.swift Fuzz/Targets/PropertyCheck.swift Tests/GatewayKitTests/Fuzzing/PayloadComparison.swift \
            Tests/GatewayKitTests/Fuzzing/TransactionJSONProperties.swift
        ;;
    *)
        echo "unknown fuzz target: $1 (http_parser, transaction_json)" >&2
        exit 2
        ;;
    esac
}

for target in "${targets[@]}"; do
    start=$SECONDS
    build "$target"
    built=$((SECONDS - start))
    mkdir -p "$out/corpus/$target"
    # Leak checking is off: the Swift runtime and Foundation keep caches for the life of the process.
    # The Swift runtime's backtracer reads memory ASan calls wild: let libFuzzer report instead.
    SWIFT_BACKTRACE=enable=no "$out/$target" "$out/corpus/$target" "Fuzz/corpus/$target" -max_total_time="$seconds" -detect_leaks=0 \
        -artifact_prefix="$out/artifacts/$target-" -print_final_stats=1 2>"$out/$target.log" || {
        tail -40 "$out/$target.log" >&2
        echo "fuzz: $target failed; the input is in $out/artifacts/" >&2
        exit 1
    }
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$target.log")
    echo "fuzz: $target ok: built in ${built}s, $runs inputs in ${seconds}s, no property broken"
done
