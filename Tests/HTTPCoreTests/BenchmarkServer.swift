import Foundation
import Logging
import Testing

import HTTPCore

/// Not a test: a server for measuring with wrk, enabled only when HTTPCORE_BENCH_PORT is set.
///
///     HTTPCORE_BENCH_PORT=18090 HTTPCORE_BENCH_SECONDS=30 swift test -c release -Xswiftc -enable-testing \
///         --scratch-path .build-http-release --filter benchmarkServer &
///     wrk -t1 -c64 -d10s -s bench/transaction.lua http://127.0.0.1:18090/transactions
///
/// HTTPCORE_BENCH_ASYNC=1 answers from another thread (through the loop's eventfd), as the gateway
/// does after a Kafka delivery report; otherwise the handler answers inline.
@Test(.enabled(if: ProcessInfo.processInfo.environment["HTTPCORE_BENCH_PORT"] != nil))
func benchmarkServer_servesUntilTheConfiguredTimeIsUp() throws {
    let environment = ProcessInfo.processInfo.environment
    var configuration = HTTPServerConfiguration()
    configuration.host = "127.0.0.1"
    configuration.port = Int(environment["HTTPCORE_BENCH_PORT"] ?? "") ?? 18090
    configuration.eventLoopCount = Int(environment["HTTPCORE_BENCH_LOOPS"] ?? "") ?? 1
    let seconds = Double(environment["HTTPCORE_BENCH_SECONDS"] ?? "") ?? 30
    let answerLater = environment["HTTPCORE_BENCH_ASYNC"] == "1"
    let body = Array(#"{"id":"tx-0001","status":"accepted","topic":"transactions","partition":0,"offset":0}"#.utf8)
    let completions = DispatchQueue(label: "bench-completions")
    var router = HTTPRouter()
    router.add("POST", "/transactions") { request, responder in
        let response = HTTPResponse.json(202, body)
        if answerLater {
            completions.async { responder.respond(response) }
        } else {
            responder.respond(response)
        }
    }
    var logger = Logger(label: "bench")
    logger.logLevel = .warning
    let server = HTTPServer(configuration: configuration, logger: logger, handler: router.handler)
    _ = try server.start()
    Thread.sleep(forTimeInterval: seconds)
    server.shutdown(gracePeriod: .seconds(1))
}
