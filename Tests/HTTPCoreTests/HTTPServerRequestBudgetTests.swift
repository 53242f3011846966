import Foundation
import Synchronization
import Testing

@testable import HTTPCore

/// `HTTPServerConfiguration.maxBufferedRequestBytes`: request bytes held across all connections are
/// bounded; a connection without room is not read (TCP back-pressure) and is read again when room
/// frees; one that waits past its read timeout gets 503 with `Retry-After`.
@Suite("HTTPServer request budget", .serialized)
struct HTTPServerRequestBudgetTests {
    /// 32 KiB bodies, so the budget (twice that) holds two whole bodies at most.
    static let maxBody = 32 * 1024
    static let budget = 64 * 1024

    static func tinyBudget(_ configuration: inout HTTPServerConfiguration) {
        configuration.maxBodyBytes = maxBody
        configuration.maxBufferedRequestBytes = budget
    }

    /// A body every byte of which counts: its length and a checksum, as the handler answers them.
    static func body(_ seed: Int, count: Int = 30_000) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ seed) }
    }

    static func digest(_ bytes: [UInt8]) -> String {
        "\(bytes.count) \(bytes.reduce(UInt32(0)) { $0 &* 33 &+ UInt32($1) })"
    }

    static func post(_ path: String, _ body: [UInt8]) -> [UInt8] {
        Array("POST \(path) HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body
    }

    /// Twelve 30 kB bodies at once through a 64 KiB budget, each held by its handler for 100 ms (as a
    /// Kafka delivery would): every one is answered with its own body's digest, none with a 5xx, and
    /// the bytes held never pass the bound. Without the bound the peak is several bodies above it.
    @Test func concurrentLargeBodies_throughATinyBudget_allAnswered_andTheBoundHolds() throws {
        let handler: HTTPHandler = { request, responder in
            let answer = HTTPResponse.text(200, Self.digest(request.body))
            later(.milliseconds(100)) { responder.respond(answer) }
        }
        try withServer(configure: Self.tinyBudget, handler: handler) { server, port in
            let results = Recorder<(Int, Int, String)>()
            for index in 0..<12 {
                Thread.detachNewThread {
                    do {
                        let client = try RawClient(port: port, receiveTimeout: .seconds(10))
                        client.send(Self.post("/batch", Self.body(index)))
                        let response = try client.readResponse()
                        results.append((index, response.status, response.bodyText))
                    } catch {
                        results.append((index, -1, "\(error)"))
                    }
                }
            }
            let answers = results.wait(for: 12, timeout: .seconds(20))
            #expect(answers.count == 12)
            for (index, status, text) in answers {
                #expect(status == 200, "client \(index): \(text)")
                #expect(text == Self.digest(Self.body(index)), "client \(index)")
            }
            let bytes = server.bufferedRequestBytes
            #expect(bytes.limit == Self.budget)
            #expect(bytes.peak > 30_000, "the bodies were counted")
            #expect(bytes.peak <= Self.budget, "held \(bytes.peak) bytes at once, bound \(Self.budget)")
            #expect(waitUntil { server.bufferedRequestBytes.now == 0 }, "everything answered is released")
        }
    }

    /// While one request holds the budget, another connection's request is not read; once the first
    /// is answered, the second is read and answered in full.
    @Test func aConnectionWithoutBudget_isReadOnceAnAnswerReleasesIt() throws {
        let held = Recorder<HTTPResponder>()
        let handler: HTTPHandler = { request, responder in
            let answer = HTTPResponse.text(200, Self.digest(request.body))
            if request.path == "/hold" { held.append(responder) } else { responder.respond(answer) }
        }
        try withServer(configure: Self.tinyBudget, handler: handler) { server, port in
            let first = try RawClient(port: port)
            first.send(Self.post("/hold", Self.body(1)))
            try #require(held.wait(for: 1).count == 1)
            let second = try RawClient(port: port)
            second.send(Self.post("/next", Self.body(2)))
            // Not answered while the first holds the room its head would need.
            second.setReceiveTimeout(.milliseconds(300))
            #expect(throws: ClientError.timeout) { try second.readResponse() }
            #expect(server.bufferedRequestBytes.now < 2 * 30_000, "the second body was not read")

            held.all[0].respond(.text(200, "first"))
            #expect(try first.readResponse().bodyText == "first")
            second.setReceiveTimeout(.seconds(5))
            let answer = try second.readResponse()
            #expect(answer.status == 200)
            #expect(answer.bodyText == Self.digest(Self.body(2)))
        }
    }

    /// A request that cannot get room before its read timeout gets 503 problem+json with
    /// `Retry-After` (the server was busy, not the client slow: not 408), and the server goes on.
    @Test func aRequestStillWithoutBudgetAtItsReadTimeout_gets503WithRetryAfter() throws {
        let held = Recorder<HTTPResponder>()
        let seen = Recorder<Int>()
        let handler: HTTPHandler = { request, responder in
            let answer = HTTPResponse.text(200, Self.digest(request.body))
            if request.path == "/hold" { held.append(responder) } else { responder.respond(answer) }
        }
        try withServer(
            configure: {
                Self.tinyBudget(&$0)
                $0.headerReadTimeout = .milliseconds(400)
                $0.lingerTimeout = .milliseconds(300)
            },
            observer: { _, status, _ in seen.append(status.code) },
            handler: handler
        ) { server, port in
            let first = try RawClient(port: port)
            first.send(Self.post("/hold", Self.body(1)))
            try #require(held.wait(for: 1).count == 1)

            let starved = try RawClient(port: port, receiveTimeout: .seconds(5))
            let started = ContinuousClock.now
            starved.send(Self.post("/starved", Self.body(2)))
            let refused = try starved.readResponse()
            let waited = ContinuousClock.now - started
            #expect(refused.status == 503)
            #expect(refused.header("Retry-After") == "1")
            #expect(refused.header("Content-Type") == "application/problem+json")
            #expect(try refused.problem()["status"] as? Int == 503)
            #expect(waited >= .milliseconds(350) && waited < .seconds(4), "waited \(waited)")
            #expect(starved.waitForClose(), "the unread rest of the request ends the connection")

            held.all[0].respond(.text(200, "first"))
            #expect(try first.readResponse().bodyText == "first")
            let after = try RawClient(port: port)
            after.send(Self.post("/after", Self.body(3)))
            #expect(try after.readResponse().bodyText == Self.digest(Self.body(3)))
            #expect(seen.wait(for: 3).sorted() == [200, 200, 503])
            #expect(waitUntil { server.bufferedRequestBytes.now == 0 })
        }
    }
}
