import Foundation
import Logging
import Synchronization
import Testing

@testable import HTTPCore

/// Starts a server on 127.0.0.1 port 0, runs `body`, and always shuts the server down.
func withServer<T>(
    configure: (inout HTTPServerConfiguration) -> Void = { _ in },
    observer: (@Sendable (HTTPRequest?, HTTPResponse.Status, Duration) -> Void)? = nil,
    handler: @escaping HTTPHandler = echoHandler,
    _ body: (HTTPServer, Int) throws -> T
) throws -> T {
    var configuration = HTTPServerConfiguration()
    configuration.host = "127.0.0.1"
    configuration.port = 0
    configuration.eventLoopCount = 2
    configure(&configuration)
    let server = HTTPServer(configuration: configuration, logger: testLogger, observer: observer, handler: handler)
    let port = try server.start()
    defer { server.shutdown(gracePeriod: .seconds(1)) }
    return try body(server, port)
}

let testLogger: Logger = {
    var logger = Logger(label: "HTTPCoreTests", factory: { label in StreamLogHandler.standardError(label: label) })
    // Several tests provoke warnings and errors on purpose (503s, dropped responders); keep the output quiet.
    logger.logLevel = .critical
    return logger
}()

/// Answers with the method, path, query and body it received.
let echoHandler: HTTPHandler = { request, responder in
    var text = "\(request.method) \(request.path)"
    if let query = request.query { text += "?\(query)" }
    text += " body=\(String(decoding: request.body, as: UTF8.self))"
    responder.respond(.text(200, text))
}

/// A thread-safe list for collecting values from handlers and observers.
final class Recorder<Value: Sendable>: Sendable {
    private let values = Mutex<[Value]>([])

    func append(_ value: Value) {
        values.withLock { $0.append(value) }
    }

    var all: [Value] {
        values.withLock { $0 }
    }

    /// Polls until `count` values arrived or `timeout` passed.
    func wait(for count: Int, timeout: Duration = .seconds(5)) -> [Value] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let current = all
            if current.count >= count { return current }
            Thread.sleep(forTimeInterval: 0.005)
        }
        return all
    }
}

/// Runs `work` after `delay` on a plain thread, as a Kafka delivery callback would.
func later(_ delay: Duration, _ work: @escaping @Sendable () -> Void) {
    let seconds = Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18
    Thread.detachNewThread {
        Thread.sleep(forTimeInterval: seconds)
        work()
    }
}

/// Polls `condition` every 5 ms for up to `timeout`.
func waitUntil(timeout: Duration = .seconds(5), _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.005)
    }
    return condition()
}
