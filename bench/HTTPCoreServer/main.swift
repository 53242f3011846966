import Dispatch
import Foundation
import HTTPCore
import Logging

// HTTPCore alone, answering POST /transactions with a fixed 202, for wrk: the ceiling of the HTTP
// layer next to nginx in the same run. Not a micro-benchmark: what it measures is throughput with
// many connections, which only an outside load generator shows.
//
//     HTTPCORE_BENCH_PORT=18090 HTTPCORE_BENCH_SECONDS=30 swift run -c release HTTPCoreBenchServer &
//     wrk -t1 -c64 -d10s -s bench/lua/transaction.lua http://127.0.0.1:18090/transactions
//
// Settings (environment): HTTPCORE_BENCH_PORT (18090), HTTPCORE_BENCH_LOOPS (event loops, 1),
// HTTPCORE_BENCH_SECONDS (serves that long, then stops by itself: 30), HTTPCORE_BENCH_ASYNC=1
// (answers from another thread through the loop's eventfd, as the gateway does after a Kafka
// delivery report; otherwise inline).

/// The router: one route, answered inline or from a queue.
func makeRouter(answerLater: Bool) -> HTTPRouter {
    let body = Array(#"{"id":"tx-0001","status":"accepted","topic":"transactions","partition":0,"offset":0}"#.utf8)
    let completions = DispatchQueue(label: "bench-completions")
    var router = HTTPRouter()
    router.add(.post, "/transactions") { _, responder in
        let response = HTTPResponse.json(.accepted, body)
        if answerLater {
            completions.async { responder.respond(response) }
        } else {
            responder.respond(response)
        }
    }
    return router
}

func serve(environment: [String: String]) throws {
    var configuration = HTTPServerConfiguration()
    configuration.host = "127.0.0.1"
    configuration.port = Int(environment["HTTPCORE_BENCH_PORT"] ?? "") ?? 18090
    configuration.eventLoopCount = Int(environment["HTTPCORE_BENCH_LOOPS"] ?? "") ?? 1
    let seconds = Double(environment["HTTPCORE_BENCH_SECONDS"] ?? "") ?? 30
    var logger = Logger(label: "httpcore-bench")
    logger.logLevel = .warning
    let router = makeRouter(answerLater: environment["HTTPCORE_BENCH_ASYNC"] == "1")
    let server = HTTPServer(configuration: configuration, logger: logger, handler: router.handler)
    _ = try server.start()
    Thread.sleep(forTimeInterval: seconds)
    server.shutdown(gracePeriod: .seconds(1))
}

try serve(environment: ProcessInfo.processInfo.environment)
