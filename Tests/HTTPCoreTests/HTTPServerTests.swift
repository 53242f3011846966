import Foundation
import Synchronization
import Testing

@testable import HTTPCore

@Suite("HTTPServer over sockets")
struct HTTPServerTests {
    @Test func keepAlive_servesTwoRequestsOnOneConnection() throws {
        try withServer { _, port in
            let client = try RawClient(port: port)
            client.send("GET /one HTTP/1.1\r\nHost: t\r\n\r\n")
            let first = try client.readResponse()
            client.send("POST /two?x=1 HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc")
            let second = try client.readResponse()
            #expect(first.status == 200)
            #expect(first.bodyText == "GET /one body=")
            #expect(first.header("Connection") == nil)
            #expect(second.bodyText == "POST /two?x=1 body=abc")
        }
    }

    @Test func everyResponse_hasDateAndContentLength() throws {
        try withServer { _, port in
            let client = try RawClient(port: port)
            client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.header("Content-Length") == "\(response.body.count)")
            let date = try #require(response.header("Date"))
            #expect(date.hasSuffix(" GMT"))
            #expect(date.count == 29)
        }
    }

    @Test func pipelining_threeRequestsInOneWrite_areAnsweredInOrder_evenWhenTheFirstAnswersLater() throws {
        let handler: HTTPHandler = { request, responder in
            let response = HTTPResponse.text(200, request.path)
            if request.path == "/slow" {
                later(.milliseconds(150)) { responder.respond(response) }  // another thread, after the others
            } else {
                responder.respond(response)
            }
        }
        try withServer(handler: handler) { _, port in
            let client = try RawClient(port: port)
            client.send(
                "GET /slow HTTP/1.1\r\nHost: t\r\n\r\nGET /fast1 HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "POST /fast2 HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi"
            )
            let bodies = try (0..<3).map { _ in try client.readResponse().bodyText }
            #expect(bodies == ["/slow", "/fast1", "/fast2"])
        }
    }

    /// A user's report: only the first of three pipelined requests was answered when the last one
    /// carried `Connection: close`. RFC 9112 §9.6 closes after the response to that request, not before.
    @Test func pipelinedRequests_lastWithConnectionClose_allAnsweredInOrderThenClose() throws {
        try withServer { _, port in
            let client = try RawClient(port: port)
            client.send(
                "GET /a HTTP/1.1\r\nHost: t\r\n\r\nGET /b HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "GET /c HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
            )
            let responses = try (0..<3).map { _ in try client.readResponse() }
            #expect(responses.map(\.bodyText) == ["GET /a body=", "GET /b body=", "GET /c body="])
            #expect(responses.map { $0.header("Connection") } == [nil, nil, "close"])
            #expect(client.waitForClose())
        }
    }

    @Test func connectionClose_isEchoedAndTheSocketCloses() throws {
        try withServer { _, port in
            let client = try RawClient(port: port)
            client.send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.header("Connection") == "close")
            #expect(client.waitForClose())
        }
    }

    @Test func handlerConnectionClose_closesAfterTheResponse() throws {
        let handler: HTTPHandler = { _, responder in
            responder.respond(HTTPResponse(status: 200, headers: ["Connection": "close"], body: Array("bye".utf8)))
        }
        try withServer(handler: handler) { _, port in
            let client = try RawClient(port: port)
            client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.header("Connection") == "close")
            #expect(response.bodyText == "bye")
            #expect(client.waitForClose())
        }
    }

    @Test func http10_closesByDefault_andKeepsAliveWhenAsked() throws {
        try withServer { _, port in
            let plain = try RawClient(port: port)
            plain.send("GET / HTTP/1.0\r\n\r\n")
            #expect(try plain.readResponse().header("Connection") == "close")
            #expect(plain.waitForClose())

            let keepAlive = try RawClient(port: port)
            keepAlive.send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            #expect(try keepAlive.readResponse().header("Connection") == "keep-alive")
            keepAlive.send("GET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            #expect(try keepAlive.readResponse().bodyText == "GET /b body=")
        }
    }

    @Test func head_getsTheGetRoutesHeadersAndLength_withoutBody() throws {
        var router = HTTPRouter()
        router.add(.get, "/doc") { _, responder in responder.respond(.text(200, "twelve bytes")) }
        try withServer(handler: router.handler) { _, port in
            let client = try RawClient(port: port)
            client.send("HEAD /doc HTTP/1.1\r\nHost: t\r\n\r\nGET /doc HTTP/1.1\r\nHost: t\r\n\r\n")
            let head = try client.readResponse(isHead: true)
            #expect(head.status == 200)
            #expect(head.header("Content-Length") == "12")
            #expect(head.header("Content-Type") == "text/plain; charset=utf-8")
            // The next bytes on the wire are the GET's response: HEAD's carried no body.
            let get = try client.readResponse()
            #expect(get.bodyText == "twelve bytes")
        }
    }

    @Test func expect100Continue_sendsContinueBeforeReadingTheBody() throws {
        try withServer { _, port in
            let client = try RawClient(port: port)
            client.send("POST /up HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
            let interim = try client.readResponse()
            #expect(interim.status == 100)
            client.send("data")
            let final = try client.readResponse()
            #expect(final.status == 200)
            #expect(final.bodyText == "POST /up body=data")
        }
    }

    @Test func expect100Continue_withOversizedLength_gets413WithoutContinue() throws {
        try withServer(configure: { $0.maxBodyBytes = 10 }) { _, port in
            let client = try RawClient(port: port)
            client.send("POST /up HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 413)
            #expect(response.header("Content-Type") == "application/problem+json")
            #expect(client.waitForClose())
        }
    }

    @Test func router_answers404ForUnknownPath_and405WithAllowForOtherMethod() throws {
        var router = HTTPRouter()
        router.add(.post, "/transactions") { _, responder in responder.respond(.json(202, Array("{}".utf8))) }
        router.add(.get, "/transactions") { _, responder in responder.respond(.json(200, Array("[]".utf8))) }
        try withServer(handler: router.handler) { _, port in
            let client = try RawClient(port: port)
            client.send("GET /nope HTTP/1.1\r\nHost: t\r\n\r\n")
            let missing = try client.readResponse()
            #expect(missing.status == 404)
            #expect(missing.header("Content-Type") == "application/problem+json")
            #expect(try missing.problem()["status"] as? Int == 404)
            #expect(try missing.problem()["title"] as? String == "Not Found")

            client.send("DELETE /transactions HTTP/1.1\r\nHost: t\r\n\r\n")
            let wrongMethod = try client.readResponse()
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.header("Allow") == "GET, HEAD, POST")

            client.send("POST /transactions HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
            let accepted = try client.readResponse()
            #expect(accepted.status == 202)
            #expect(accepted.header("Content-Type") == "application/json")
        }
    }

    @Test func oversizedContentLength_gets413AndCloses() throws {
        try withServer(configure: { $0.maxBodyBytes = 100 }) { _, port in
            let client = try RawClient(port: port)
            client.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 101\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 413)
            #expect(response.header("Connection") == "close")
            #expect(try response.problem()["title"] as? String == "Content Too Large")
            #expect(client.waitForClose())
        }
    }

    @Test func oversizedChunkedBody_gets413_evenWithTheRestStillBeingSent() throws {
        try withServer(configure: { $0.maxBodyBytes = 1000 }) { _, port in
            let client = try RawClient(port: port)
            let chunk = String(repeating: "x", count: 600)
            // The whole body is sent at once: the server must answer although it stops reading early.
            client.send(
                "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "258\r\n\(chunk)\r\n258\r\n\(chunk)\r\n258\r\n\(chunk)\r\n0\r\n\r\n"
            )
            let response = try client.readResponse()
            #expect(response.status == 413)
            #expect(client.waitForClose())
        }
    }

    @Test func chunkedRequestBody_reachesTheHandlerDechunked() throws {
        try withServer { _, port in
            let client = try RawClient(port: port)
            client.send(
                "POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "4\r\nwiki\r\n5;e=1\r\npedia\r\n0\r\n\r\n"
            )
            #expect(try client.readResponse().bodyText == "POST /c body=wikipedia")
        }
    }

    @Test func tooManyOrTooLargeHeaders_get431() throws {
        try withServer(configure: {
            $0.maxHeaderCount = 5
            $0.maxHeaderBytes = 1024
        }) { _, port in
            let many = try RawClient(port: port)
            many.send("GET / HTTP/1.1\r\nHost: t\r\n" + (0..<6).map { "X-\($0): v\r\n" }.joined() + "\r\n")
            let countResponse = try many.readResponse()
            #expect(countResponse.status == 431)
            #expect(many.waitForClose())

            let large = try RawClient(port: port)
            large.send("GET / HTTP/1.1\r\nHost: t\r\nX-Big: \(String(repeating: "b", count: 2000))\r\n\r\n")
            #expect(try large.readResponse().status == 431)
            #expect(large.waitForClose())
        }
    }

    @Test func longTarget_gets414() throws {
        try withServer(configure: { $0.maxRequestLineBytes = 100 }) { _, port in
            let client = try RawClient(port: port)
            client.send("GET /\(String(repeating: "a", count: 200)) HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try client.readResponse().status == 414)
        }
    }

    @Test func headerReadTimeout_gets408ThenClose() throws {
        let statuses = Recorder<String>()
        try withServer(
            configure: { $0.headerReadTimeout = .milliseconds(300) },
            observer: { request, status, _ in statuses.append("\(request?.path ?? "-") \(status.code)") }
        ) { _, port in
            let client = try RawClient(port: port, receiveTimeout: .seconds(3))
            let started = ContinuousClock.now
            client.send("GET / HTTP/1.1\r\nHost: t\r\n")  // the header section never ends
            let response = try client.readResponse()
            let waited = ContinuousClock.now - started
            #expect(response.status == 408)
            #expect(response.header("Connection") == "close")
            #expect(waited >= .milliseconds(250) && waited < .seconds(2))
            #expect(client.waitForClose())
            // The observer gets what was read of the refused request: its request line and fields.
            #expect(statuses.wait(for: 1) == ["/ 408"])
        }
    }

    @Test func bodyReadTimeout_gets408ThenClose() throws {
        try withServer(configure: { $0.bodyReadTimeout = .milliseconds(300) }) { _, port in
            let client = try RawClient(port: port, receiveTimeout: .seconds(3))
            client.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc")
            let response = try client.readResponse()
            #expect(response.status == 408)
            #expect(try response.problem()["detail"] as? String == HTTPParseError.bodyTimeout.detail)
            #expect(client.waitForClose())
        }
    }

    @Test func idleKeepAliveConnection_isClosedSilently() throws {
        try withServer(configure: { $0.idleTimeout = .milliseconds(300) }) { _, port in
            let client = try RawClient(port: port, receiveTimeout: .seconds(3))
            client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try client.readResponse().status == 200)
            let started = ContinuousClock.now
            #expect(client.waitForClose())
            #expect(ContinuousClock.now - started >= .milliseconds(250))
            #expect(throws: ClientError.self) { try client.readResponse() }  // closed without a response
        }
    }

    @Test func connectionThatNeverSendsAByte_isClosedSilentlyAfterTheHeaderTimeout() throws {
        try withServer(configure: { $0.headerReadTimeout = .milliseconds(200) }) { _, port in
            let client = try RawClient(port: port, receiveTimeout: .seconds(3))
            #expect(client.waitForClose())
            #expect(throws: ClientError.self) { try client.readResponse() }
        }
    }

    @Test func connectionsBeyondTheLimit_get503AndClose() throws {
        try withServer(configure: { $0.maxConnections = 2 }) { server, port in
            let first = try RawClient(port: port)
            let second = try RawClient(port: port)
            for client in [first, second] {
                client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(try client.readResponse().status == 200)
            }
            let third = try RawClient(port: port)
            third.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            let refused = try third.readResponse()
            #expect(refused.status == 503)
            #expect(refused.header("Retry-After") == "1")
            #expect(third.waitForClose())
            // The admitted connections still work.
            first.send("GET /again HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try first.readResponse().bodyText == "GET /again body=")
            _ = server
        }
    }

    @Test func malformedRequest_gets400ProblemAndClose_thenTheServerStillServes() throws {
        let statuses = Recorder<String>()
        try withServer(observer: { request, status, _ in statuses.append("\(request?.path ?? "-") \(status.code)") }) {
            _,
            port in
            for garbage in ["NOT HTTP AT ALL\r\n\r\n", "GET / HTTP/1.1\r\nHost : t\r\n\r\n", "\u{0}\u{1}\u{2}\r\n"] {
                let bad = try RawClient(port: port)
                bad.send(garbage)
                let response = try bad.readResponse()
                #expect(response.status == 400)
                #expect(response.header("Content-Type") == "application/problem+json")
                #expect(try response.problem()["status"] as? Int == 400)
                #expect(bad.waitForClose())
            }
            let good = try RawClient(port: port)
            good.send("GET /ok HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try good.readResponse().status == 200)
            // No request line could be parsed for the first and third, so no request is reported.
            #expect(statuses.wait(for: 4) == ["- 400", "/ 400", "- 400", "/ok 200"])
        }
    }

    @Test func http2Preface_gets505() throws {
        try withServer { _, port in
            let client = try RawClient(port: port)
            client.send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
            #expect(try client.readResponse().status == 505)
            #expect(client.waitForClose())
        }
    }

    @Test func slowClient_sendingByteByByte_stillGetsItsAnswer() throws {
        try withServer { _, port in
            let client = try RawClient(port: port)
            client.sendSlowly("POST /slow HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nok", pause: .milliseconds(2))
            #expect(try client.readResponse().bodyText == "POST /slow body=ok")
        }
    }

    @Test func halfReceivedRequest_thenClientShutdown_gets400() throws {
        try withServer { _, port in
            let client = try RawClient(port: port)
            client.send("GET / HTTP/1.1\r\nHo")
            client.shutdownWrite()
            #expect(try client.readResponse().status == 400)
        }
    }

    @Test func requestThenClientShutdown_stillGetsTheResponse() throws {
        try withServer { _, port in
            let client = try RawClient(port: port)
            client.send("GET /bye HTTP/1.1\r\nHost: t\r\n\r\n")
            client.shutdownWrite()
            let response = try client.readResponse()
            #expect(response.bodyText == "GET /bye body=")
            #expect(client.waitForClose())
        }
    }

    @Test func largeResponse_toASlowReader_isWrittenCompletely() throws {
        let payload = (0..<(4 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let handler: HTTPHandler = { _, responder in
            responder.respond(HTTPResponse(status: 200, body: payload))
        }
        try withServer(handler: handler) { _, port in
            let client = try RawClient(port: port)
            client.send("GET /big HTTP/1.1\r\nHost: t\r\n\r\nGET /after HTTP/1.1\r\nHost: t\r\n\r\n")
            Thread.sleep(forTimeInterval: 0.2)  // let the server hit EAGAIN and wait for EPOLLOUT
            let first = try client.readResponse()
            #expect(first.body == payload)
            #expect(try client.readResponse().body.count == payload.count)
        }
    }

    @Test func observer_seesRequestStatusAndDuration() throws {
        let seen = Recorder<String>()
        let observer: @Sendable (HTTPRequest?, HTTPResponse.Status, Duration) -> Void = { request, status, duration in
            seen.append("\(request?.path ?? "-") \(status.code) \(duration >= .zero)")
        }
        try withServer(observer: observer) { _, port in
            let client = try RawClient(port: port)
            client.send("GET /watched HTTP/1.1\r\nHost: t\r\n\r\n")
            _ = try client.readResponse()
            #expect(seen.wait(for: 1) == ["/watched 200 true"])
        }
    }

    @Test func requestID_andRemoteAddress_reachTheHandler() throws {
        let handler: HTTPHandler = { request, responder in
            responder.respond(.text(200, "\(request.requestID) \(request.remoteAddress.hasPrefix("127.0.0.1:"))"))
        }
        try withServer(handler: handler) { _, port in
            let client = try RawClient(port: port)
            client.send("GET / HTTP/1.1\r\nHost: t\r\nX-Request-Id: trace-42\r\n\r\n")
            #expect(try client.readResponse().bodyText == "trace-42 true")
        }
    }

    @Test func handlerThatDropsItsResponder_yields500() throws {
        try withServer(handler: { _, _ in }) { _, port in
            let client = try RawClient(port: port)
            client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try client.readResponse().status == 500)
            #expect(try client.readResponse().status == 500)
        }
    }

    @Test func respondingTwice_sendsOnlyTheFirstResponse() throws {
        let handler: HTTPHandler = { request, responder in
            responder.respond(.text(200, "first \(request.path)"))
            responder.respond(.text(500, "second"))
        }
        try withServer(handler: handler) { _, port in
            let client = try RawClient(port: port)
            client.send("GET /a HTTP/1.1\r\nHost: t\r\n\r\nGET /b HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try client.readResponse().bodyText == "first /a")
            #expect(try client.readResponse().bodyText == "first /b")
        }
    }

    @Test func manyConcurrentClients_acrossLoops_allGetAnswers() throws {
        let handler: HTTPHandler = { request, responder in
            if request.path.hasSuffix("0") {
                later(.milliseconds(5)) { responder.respond(.text(200, request.path)) }
            } else {
                responder.respond(.text(200, request.path))
            }
        }
        try withServer(handler: handler) { _, port in
            let clients = try (0..<40).map { _ in try RawClient(port: port) }
            for round in 0..<3 {
                for (index, client) in clients.enumerated() {
                    client.send("GET /\(index)/\(round)\(index % 2) HTTP/1.1\r\nHost: t\r\n\r\n")
                }
                for (index, client) in clients.enumerated() {
                    #expect(try client.readResponse().bodyText == "/\(index)/\(round)\(index % 2)")
                }
            }
        }
    }

    @Test func gracefulShutdown_finishesAnInFlightDelayedResponse_thenRefusesConnections() throws {
        let dispatched = Recorder<String>()
        let handler: HTTPHandler = { request, responder in
            dispatched.append(request.path)
            later(.milliseconds(300)) { responder.respond(.text(200, "finished")) }
        }
        var configuration = HTTPServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.eventLoopCount = 2
        let server = HTTPServer(configuration: configuration, logger: testLogger, handler: handler)
        let port = try server.start()
        defer { server.shutdown(gracePeriod: .seconds(1)) }  // a no-op once the shutdown below ran
        let client = try RawClient(port: port)
        client.send("GET /work HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(dispatched.wait(for: 1) == ["/work"])

        let stopped = Recorder<Duration>()
        let started = ContinuousClock.now
        Thread.detachNewThread {
            server.shutdown(gracePeriod: .seconds(5))
            stopped.append(ContinuousClock.now - started)
        }
        let response = try client.readResponse()
        #expect(response.bodyText == "finished")
        #expect(response.header("Connection") == "close")
        #expect(client.waitForClose())
        let stopTimes = stopped.wait(for: 1)
        #expect(stopTimes.count == 1)
        #expect(stopTimes.first.map { $0 < .seconds(4) } == true)
        #expect(throws: ClientError.self) { try RawClient(port: port) }
    }

    @Test func gracefulShutdown_answersARequestStillInFlightAtTheEndWith503() throws {
        let dispatched = Recorder<String>()
        let held = Recorder<HTTPResponder>()  // kept, never answered (a dropped responder answers 500)
        let handler: HTTPHandler = { request, responder in
            held.append(responder)
            dispatched.append(request.path)
        }
        try withServer(handler: handler) { server, port in
            let client = try RawClient(port: port)
            client.send("POST /stuck HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
            #expect(dispatched.wait(for: 1) == ["/stuck"])

            let cutOff = Recorder<Int>()
            Thread.detachNewThread { cutOff.append(server.shutdown(gracePeriod: .milliseconds(300))) }
            let response = try client.readResponse()
            #expect(response.status == 503)
            #expect(response.header("Retry-After") == "1")
            #expect(response.header("Connection") == "close")
            #expect(cutOff.wait(for: 1) == [1])
        }
    }

    @Test func shutdown_closesIdleConnections_andIsIdempotent() throws {
        var configuration = HTTPServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.eventLoopCount = 1
        let server = HTTPServer(configuration: configuration, logger: testLogger, handler: echoHandler)
        let port = try server.start()
        defer { server.shutdown(gracePeriod: .seconds(1)) }
        #expect(server.boundPort == port)
        #expect(throws: HTTPServerError.alreadyStarted) { try server.start() }
        let client = try RawClient(port: port)
        client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        _ = try client.readResponse()
        let started = ContinuousClock.now
        server.shutdown(gracePeriod: .seconds(5))
        #expect(ContinuousClock.now - started < .seconds(1))
        #expect(client.waitForClose())
        server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func responderCalledFromAnotherThread_afterTheClientLeft_isHarmless() throws {
        let responders = Recorder<HTTPResponder>()
        try withServer(handler: { _, responder in responders.append(responder) }) { _, port in
            do {
                let client = try RawClient(port: port)
                client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(responders.wait(for: 1).count == 1)
            }  // client closes here
            Thread.sleep(forTimeInterval: 0.05)
            responders.all.first?.respond(.text(200, "too late"))
            let next = try RawClient(port: port)
            next.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(responders.wait(for: 2).count == 2)
            responders.all[1].respond(.text(200, "on time"))
            #expect(try next.readResponse().bodyText == "on time")
        }
    }
}

@Suite("HTTPServer threading")
struct HTTPServerThreadingTests {
    @Test func connections_spreadOverSeveralLoops() throws {
        try withServer(configure: { $0.eventLoopCount = 2 }) { server, port in
            let clients = try (0..<32).map { _ in try RawClient(port: port) }
            for client in clients {
                client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(try client.readResponse().status == 200)
            }
            let accepted = server.loopStatistics.map(\.accepted)
            #expect(accepted.count == 2)
            #expect(accepted.reduce(0, +) == 32)
            #expect(accepted.allSatisfy { $0 > 0 }, "SO_REUSEPORT should spread 32 connections: \(accepted)")
        }
    }

    @Test func inlineAnswers_needNoWakeUp_laterAnswersUseTheEventfd() throws {
        let handler: HTTPHandler = { request, responder in
            if request.path == "/later" {
                later(.milliseconds(1)) { responder.respond(.text(200, "later")) }
            } else {
                responder.respond(.text(200, "inline"))
            }
        }
        try withServer(configure: { $0.eventLoopCount = 1 }, handler: handler) { server, port in
            let client = try RawClient(port: port)
            for _ in 0..<20 {
                client.send("GET /inline HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(try client.readResponse().bodyText == "inline")
            }
            #expect(server.loopStatistics.map(\.wakeUps) == [0])
            client.send("GET /later HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try client.readResponse().bodyText == "later")
            #expect(server.loopStatistics.map(\.wakeUps) == [1])
        }
    }
}
