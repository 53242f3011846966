import Foundation
import Synchronization
import Testing

@testable import HTTPCore

/// `HTTPServerConfiguration.responseTimeout`: the server answers 504 when a handler (the gateway's,
/// waiting on a Kafka delivery report) does not answer in time, and the connection carries on.
@Suite("HTTPServer response timeout")
struct HTTPServerResponseTimeoutTests {
    @Test func handlerThatNeverAnswers_gets504Problem_andTheConnectionServesTheNextRequest() throws {
        let stuck = Recorder<HTTPResponder>()  // kept: a released responder would answer 500
        let seen = Recorder<String>()
        let handler: HTTPHandler = { request, responder in
            if request.path == "/stuck" {
                stuck.append(responder)
            } else {
                responder.respond(.text(200, "answered \(request.path)"))
            }
        }
        try withServer(
            configure: { $0.responseTimeout = .milliseconds(300) },
            observer: { request, status, duration in
                seen.append("\(request?.path ?? "-") \(status.code) \(duration >= .milliseconds(250))")
            },
            handler: handler
        ) { _, port in
            let client = try RawClient(port: port, receiveTimeout: .seconds(3))
            let started = ContinuousClock.now
            client.send("GET /stuck HTTP/1.1\r\nHost: t\r\n\r\n")
            let timedOut = try client.readResponse()
            let waited = ContinuousClock.now - started
            #expect(timedOut.status == 504)
            #expect(timedOut.header("Content-Type") == "application/problem+json")
            #expect(timedOut.header("Connection") == nil)
            #expect(try timedOut.problem()["status"] as? Int == 504)
            #expect(try timedOut.problem()["title"] as? String == "Gateway Timeout")
            #expect(waited >= .milliseconds(250) && waited < .seconds(2), "waited \(waited)")

            client.send("GET /next HTTP/1.1\r\nHost: t\r\n\r\n")
            let next = try client.readResponse()
            #expect(next.status == 200)
            #expect(next.bodyText == "answered /next")
            // The observer saw the 504, timed from the request to the answer, then the next request.
            #expect(seen.wait(for: 2) == ["/stuck 504 true", "/next 200 false"])
            #expect(stuck.all.count == 1)
            #expect(stuck.all.first?.hasResponded == false)
        }
    }

    @Test func answerAfterTheDeadline_fromAnotherThread_isDropped_andTheNextRequestGetsItsOwnAnswer() throws {
        let waiting = Recorder<(String, HTTPResponder)>()
        let handler: HTTPHandler = { request, responder in
            if request.path == "/inline" {
                responder.respond(.text(200, "answered /inline"))
            } else {
                waiting.append((request.path, responder))
            }
        }
        try withServer(configure: { $0.responseTimeout = .milliseconds(300) }, handler: handler) { _, port in
            let client = try RawClient(port: port, receiveTimeout: .seconds(3))
            client.send("GET /late HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try client.readResponse().status == 504)
            client.send("GET /next HTTP/1.1\r\nHost: t\r\n\r\n")
            let responders = waiting.wait(for: 2)
            try #require(responders.map(\.0) == ["/late", "/next"])
            // From this thread, not the loop's: /late's answer arrives while /next is in flight, and
            // must not be taken for /next's.
            responders[0].1.respond(.text(200, "late answer"))
            #expect(responders[0].1.hasResponded)
            Thread.sleep(forTimeInterval: 0.05)
            responders[1].1.respond(.text(200, "answered /next"))
            let next = try client.readResponse()
            #expect(next.status == 200)
            #expect(next.bodyText == "answered /next")

            // No second response to /late reached the wire, and the connection still works.
            client.setReceiveTimeout(.milliseconds(200))
            #expect(throws: ClientError.timeout) { try client.readResponse() }
            client.setReceiveTimeout(.seconds(3))
            client.send("GET /inline HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try client.readResponse().bodyText == "answered /inline")
        }
    }

    @Test func lateAnswer_toAnIdleConnection_isDropped() throws {
        let lateSent = Recorder<String>()
        let handler: HTTPHandler = { request, responder in
            if request.path == "/late" {
                later(.milliseconds(300)) {
                    responder.respond(.text(200, "late answer"))
                    lateSent.append(request.path)
                }
            } else {
                responder.respond(.text(200, "answered \(request.path)"))
            }
        }
        try withServer(configure: { $0.responseTimeout = .milliseconds(100) }, handler: handler) { _, port in
            let client = try RawClient(port: port, receiveTimeout: .seconds(3))
            client.send("GET /late HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try client.readResponse().status == 504)
            #expect(lateSent.wait(for: 1) == ["/late"])
            client.setReceiveTimeout(.milliseconds(200))
            #expect(throws: ClientError.timeout) { try client.readResponse() }
            client.setReceiveTimeout(.seconds(3))
            client.send("GET /after HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try client.readResponse().bodyText == "answered /after")
        }
    }

    @Test func pipelining_a504ForTheFirstRequest_keepsTheOthersAnsweredInOrder() throws {
        let stuck = Recorder<HTTPResponder>()  // kept: a released responder would answer 500
        let handler: HTTPHandler = { request, responder in
            switch request.path {
            case "/stuck":
                stuck.append(responder)
            case "/later":
                later(.milliseconds(20)) { responder.respond(.text(200, "answered /later")) }
            default:
                responder.respond(.text(200, "answered \(request.path)"))
            }
        }
        try withServer(configure: { $0.responseTimeout = .milliseconds(300) }, handler: handler) { _, port in
            let client = try RawClient(port: port, receiveTimeout: .seconds(3))
            client.send(
                "GET /stuck HTTP/1.1\r\nHost: t\r\n\r\nGET /second HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "HEAD /stuck HTTP/1.1\r\nHost: t\r\n\r\nPOST /later HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi"
            )
            let first = try client.readResponse()
            #expect(first.status == 504)
            #expect(try first.problem()["status"] as? Int == 504)
            #expect(try client.readResponse().bodyText == "answered /second")
            // A 504 to HEAD has the problem's headers and no body (RFC 9110 §9.3.2).
            let head = try client.readResponse(isHead: true)
            #expect(head.status == 504)
            #expect(head.header("Content-Type") == "application/problem+json")
            #expect(try client.readResponse().bodyText == "answered /later")
        }
    }

    @Test func requestAskingToClose_gets504ThenClose() throws {
        let stuck = Recorder<HTTPResponder>()  // kept: a released responder would answer 500
        try withServer(
            configure: { $0.responseTimeout = .milliseconds(100) },
            handler: { _, responder in stuck.append(responder) }
        ) { _, port in
            let client = try RawClient(port: port, receiveTimeout: .seconds(3))
            client.send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 504)
            #expect(response.header("Connection") == "close")
            #expect(client.waitForClose())
        }
    }

    @Test func withoutResponseTimeout_aSlowAnswerIsStillAwaited() throws {
        #expect(HTTPServerConfiguration().responseTimeout == nil)
        let handler: HTTPHandler = { request, responder in
            later(.milliseconds(600)) { responder.respond(.text(200, "answered \(request.path)")) }
        }
        // Short other timeouts make the sweep run often (every 25 ms) while the handler works.
        try withServer(configure: { $0.headerReadTimeout = .milliseconds(200) }, handler: handler) { _, port in
            let client = try RawClient(port: port, receiveTimeout: .seconds(3))
            let started = ContinuousClock.now
            client.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\nGET /slower HTTP/1.1\r\nHost: t\r\n\r\n")
            let first = try client.readResponse()
            #expect(first.status == 200)
            #expect(first.bodyText == "answered /slow")
            #expect(ContinuousClock.now - started >= .milliseconds(550))
            #expect(try client.readResponse().bodyText == "answered /slower")
        }
    }
}
