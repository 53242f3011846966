import Testing

@testable import HTTPCore

/// The connection's behaviour without sockets: bytes in, what the server would write out.
@Suite("HTTPConnectionState")
struct HTTPConnectionStateTests {
    static let get = "GET /a HTTP/1.1\r\nHost: t\r\n\r\nGET /b HTTP/1.1\r\nHost: t\r\n\r\n"

    // MARK: - Pipelining (RFC 9112 §9.3.2)

    @Test func pipelinedRequests_answeredInOrder_inOneWrite() {
        var connection = EmbeddedConnection()
        connection.send(Self.get + "POST /c HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi")
        let responses = connection.takeResponses()
        #expect(responses.map(\.body) == ["GET /a", "GET /b", "POST /c"])
        #expect(responses.allSatisfy { $0.header("Connection") == nil })
        #expect(connection.writeCalls == 1)
        #expect(!connection.isClosed && !connection.outputShutDown)
    }

    @Test func pipelinedRequests_aLateAnswerToTheFirst_holdsBackTheSecond() {
        var connection = EmbeddedConnection(handler: EmbeddedConnection.holdingA)
        connection.send(Self.get)
        #expect(connection.dispatched == ["/a"], "the second waits until the first is answered")
        #expect(connection.takeOutput() == "")
        connection.answerPending()
        #expect(connection.dispatched == ["/a", "/b"])
        #expect(connection.takeResponses().map(\.body) == ["GET /a", "GET /b"])
    }

    /// A user's report: only the first of three was answered when the last carried `Connection:
    /// close`. RFC 9112 §9.6: close after the response to the request that carried `close`.
    @Test func pipelinedRequests_lastWithConnectionClose_allAnsweredInOrderThenClose() {
        var connection = EmbeddedConnection()
        connection.send(Self.get + "GET /c HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        let responses = connection.takeResponses()
        #expect(responses.map(\.body) == ["GET /a", "GET /b", "GET /c"])
        #expect(responses.map { $0.header("Connection") } == [nil, nil, "close"])
        #expect(connection.outputShutDown, "lingering close after the last response")
        connection.shutDownInput()
        #expect(connection.isClosed)
    }

    @Test func pipelinedRequests_lastWithConnectionClose_answeredLater_stillAllAnswered() {
        var connection = EmbeddedConnection(handler: EmbeddedConnection.never)
        connection.send(Self.get + "GET /c HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        for _ in 0..<3 { connection.answerPending() }
        #expect(connection.takeResponses().map(\.body) == ["GET /a", "GET /b", "GET /c"])
        #expect(connection.outputShutDown)
    }

    @Test func clientThatDoesNotRead_stopsParsing_untilItsOutputDrains() {
        var connection = EmbeddedConnection()
        connection.socketRoom = 10
        connection.send("GET /a HTTP/1.1\r\nHost: t\r\n\r\n")
        connection.send("GET /b HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(connection.dispatched == ["/a"], "no new request while the last answer cannot be sent")
        connection.read(room: nil)
        #expect(connection.dispatched == ["/a", "/b"])
        #expect(connection.takeResponses().map(\.body) == ["GET /a", "GET /b"])
    }

    // MARK: - Connection management (RFC 9112 §9)

    @Test func connectionClose_closesAfterItsResponse_andIgnoresWhatFollows() {
        var connection = EmbeddedConnection()
        connection.send("GET /a HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\nGET /b HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(connection.takeResponses().map(\.body) == ["GET /a"])
        #expect(connection.dispatched == ["/a"])
        #expect(connection.outputShutDown && !connection.isClosed, "lingering until the client closes")
        connection.shutDownInput()
        #expect(connection.isClosed)
    }

    @Test func handlerConnectionClose_closesAfterTheResponse() {
        var connection = EmbeddedConnection(handler: { _ in
            HTTPResponse(status: 200, headers: ["Connection": "close"])
        })
        connection.send(Self.get)
        let responses = connection.takeResponses()
        #expect(responses.count == 1)
        #expect(responses.first?.header("Connection") == "close")
        #expect(connection.outputShutDown)
    }

    @Test func http10_closesByDefault_andConfirmsKeepAliveWhenAsked() {
        var keptAlive = EmbeddedConnection()
        keptAlive.send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(keptAlive.takeResponses().first?.header("Connection") == "keep-alive")
        #expect(!keptAlive.outputShutDown)

        var closing = EmbeddedConnection()
        closing.send("GET /a HTTP/1.0\r\n\r\n")
        #expect(closing.takeResponses().first?.header("Connection") == "close")
        #expect(closing.outputShutDown)
    }

    @Test func clientShutdownAfterARequest_stillGetsTheAnswer_thenCloses() {
        var connection = EmbeddedConnection(handler: EmbeddedConnection.never)
        connection.send("GET /a HTTP/1.1\r\nHost: t\r\n\r\n")
        connection.shutDownInput()
        #expect(!connection.isClosed)
        connection.answerPending()
        #expect(connection.takeResponses().map(\.body) == ["GET /a"])
        #expect(connection.isClosed, "no linger: the client already closed its side")
    }

    @Test func halfReceivedRequest_thenClientShutdown_gets400() {
        var connection = EmbeddedConnection()
        connection.send("GET /a HTTP/1.1\r\nHost:")
        connection.shutDownInput()
        #expect(connection.takeResponses().map(\.status) == [400])
        #expect(connection.isClosed)
    }

    @Test func draining_closesAnIdleConnection_andAnswersARequestInFlightWithClose() {
        var idle = EmbeddedConnection()
        idle.send("GET /a HTTP/1.1\r\nHost: t\r\n\r\n")
        _ = idle.takeOutput()
        idle.drain()
        #expect(idle.isClosed)

        var busy = EmbeddedConnection(handler: EmbeddedConnection.never)
        busy.send("GET /a HTTP/1.1\r\nHost: t\r\n\r\n")
        busy.drain()
        #expect(!busy.isClosed)
        busy.answerPending()
        #expect(busy.takeResponses().first?.header("Connection") == "close")
        #expect(busy.outputShutDown)
    }

    @Test func graceOver_answersTheRequestInFlightWith503AndRetryAfter_andDropsTheLateAnswer() {
        var busy = EmbeddedConnection(handler: EmbeddedConnection.never)
        busy.send("POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
        busy.drain()
        let answered = busy.abandonInFlight()
        #expect(answered)
        let responses = busy.takeResponses()
        #expect(responses.map(\.status) == [503])
        #expect(responses.first?.header("Retry-After") == "1")
        #expect(responses.first?.header("Connection") == "close")
        #expect(responses.first?.body.contains("may or may not have taken effect") == true)
        busy.answerPending()
        #expect(busy.takeResponses().isEmpty, "the handler's late answer is dropped")

        var idle = EmbeddedConnection()
        idle.send("GET /a HTTP/1.1\r\nHost: t\r\n\r\n")
        _ = idle.takeOutput()
        let answeredIdle = idle.abandonInFlight()
        #expect(!answeredIdle)
    }

    // MARK: - HEAD and Expect

    @Test func head_announcesTheLength_withoutTheBody() {
        var connection = EmbeddedConnection(handler: { _ in .text(200, "hello") })
        connection.send("HEAD /a HTTP/1.1\r\nHost: t\r\n\r\nGET /b HTTP/1.1\r\nHost: t\r\n\r\n")
        let responses = connection.takeResponses(headRequests: 1)
        #expect(responses.map(\.status) == [200, 200])
        #expect(responses.map { $0.header("Content-Length") } == ["5", "5"])
        #expect(responses.map(\.body) == ["", "hello"])
    }

    @Test func expect100Continue_sendsContinueBeforeTheBody() {
        var connection = EmbeddedConnection(handler: { request in
            .text(200, String(decoding: request.body, as: UTF8.self))
        })
        connection.send("POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        #expect(connection.takeOutput() == "HTTP/1.1 100 Continue\r\n\r\n")
        #expect(connection.dispatched.isEmpty)
        connection.send("data")
        #expect(connection.takeResponses().map(\.body) == ["data"])
    }

    @Test func expect100Continue_withOversizedLength_gets413WithoutContinue() {
        var connection = EmbeddedConnection(configure: { $0.maxBodyBytes = 3 })
        connection.send("POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        let output = connection.takeOutput()
        #expect(!output.contains("100 Continue"))
        #expect(ParsedResponse.parseAll(output).map(\.status) == [413])
    }

    // MARK: - Limits (RFC 9457 problems)

    @Test func oversizedHeaders_get431ProblemAndClose() {
        var connection = EmbeddedConnection(configure: { $0.maxHeaderBytes = 64 })
        connection.send("GET /a HTTP/1.1\r\nHost: t\r\nX-Big: \(String(repeating: "x", count: 100))\r\n\r\n")
        let response = connection.takeResponses().first
        #expect(response?.status == 431)
        #expect(response?.header("Content-Type") == "application/problem+json")
        #expect(response?.header("Connection") == "close")
        #expect(connection.dispatched.isEmpty)
        #expect(connection.outputShutDown)
    }

    @Test func oversizedBody_gets413AndClose() {
        var connection = EmbeddedConnection(configure: { $0.maxBodyBytes = 10 })
        connection.send("POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello world")
        let response = connection.takeResponses().first
        #expect(response?.status == 413)
        #expect(response?.body.contains("\"status\":413") == true)
        #expect(connection.outputShutDown)
    }

    @Test func longTarget_gets414() {
        var connection = EmbeddedConnection(configure: { $0.maxRequestLineBytes = 32 })
        connection.send("GET /\(String(repeating: "a", count: 64)) HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(connection.takeResponses().map(\.status) == [414])
    }

    @Test func overTheConnectionLimit_gets503WithRetryAfter_andCloses() {
        var connection = EmbeddedConnection()
        connection.reject()
        let response = connection.takeResponses().first
        #expect(response?.status == 503)
        #expect(response?.header("Retry-After") == "1")
        #expect(connection.outputShutDown)
    }

    // MARK: - Timeouts

    @Test func headerTimeout_gets408ThenCloses() {
        var connection = EmbeddedConnection(configure: { $0.headerReadTimeout = .seconds(2) })
        connection.send("GET /a HTTP/1.1\r\nHo")
        connection.advance(by: .milliseconds(1999))
        #expect(connection.takeOutput() == "")
        connection.advance(by: .milliseconds(1))
        #expect(connection.takeResponses().map(\.status) == [408])
        #expect(connection.outputShutDown)
        connection.advance(by: .seconds(2))  // the linger timeout
        #expect(connection.isClosed)
    }

    @Test func bodyTimeout_gets408ThenCloses() {
        var connection = EmbeddedConnection(configure: { $0.bodyReadTimeout = .seconds(1) })
        connection.send("POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc")
        connection.advance(by: .seconds(1))
        #expect(connection.takeResponses().map(\.status) == [408])
    }

    @Test func idleTimeout_closesSilently() {
        var connection = EmbeddedConnection(configure: { $0.idleTimeout = .seconds(5) })
        connection.send("GET /a HTTP/1.1\r\nHost: t\r\n\r\n")
        _ = connection.takeOutput()
        connection.advance(by: .seconds(5))
        #expect(connection.isClosed)
        #expect(connection.takeOutput() == "")
    }

    @Test func connectionThatNeverSendsAByte_isClosedSilentlyAfterTheHeaderTimeout() {
        var connection = EmbeddedConnection(configure: { $0.headerReadTimeout = .seconds(1) })
        connection.advance(by: .seconds(1))
        #expect(connection.isClosed)
        #expect(connection.takeOutput() == "")
    }

    /// A loop seconds behind (a flood) sweeps before it polls again: a request that arrived
    /// meanwhile must be read and answered, not closed under the client as silence.
    @Test func requestArrivedUnnoticedByTheTimeout_isAnswered_notClosedAsSilence() {
        var fresh = EmbeddedConnection(configure: { $0.headerReadTimeout = .seconds(1) })
        fresh.sendUnnoticed("GET /first HTTP/1.1\r\nHost: t\r\n\r\n")
        fresh.advance(by: .seconds(2))
        #expect(!fresh.isClosed)
        #expect(fresh.takeResponses().map(\.body) == ["GET /first"])

        var idle = EmbeddedConnection(configure: { $0.idleTimeout = .seconds(5) })
        idle.send("GET /a HTTP/1.1\r\nHost: t\r\n\r\n")
        _ = idle.takeOutput()
        idle.sendUnnoticed("GET /b HTTP/1.1\r\nHost: t\r\n\r\n")
        idle.advance(by: .seconds(6))
        #expect(!idle.isClosed)
        #expect(idle.takeResponses().map(\.body) == ["GET /b"])
        // Silence still closes.
        idle.advance(by: .seconds(5))
        #expect(idle.isClosed)
    }

    @Test func responseDeadline_answers504_thenDropsTheLateAnswer_andServesTheNext() {
        var connection = EmbeddedConnection(
            configure: { $0.responseTimeout = .milliseconds(300) },
            handler: EmbeddedConnection.holdingA
        )
        connection.send("GET /a HTTP/1.1\r\nHost: t\r\nX-Request-Id: req-1\r\n\r\n")
        #expect(connection.advance(by: .milliseconds(299)) == .none)
        #expect(connection.advance(by: .milliseconds(1)) == .answeredResponseTimeout(requestID: "req-1"))
        let timedOut = connection.takeResponses().first
        #expect(timedOut?.status == 504)
        #expect(timedOut?.header("Content-Type") == "application/problem+json")
        #expect(timedOut?.header("Connection") == nil)

        connection.answerPending()
        #expect(connection.takeOutput() == "", "the late answer is dropped")
        connection.send("GET /b HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(connection.takeResponses().map(\.body) == ["GET /b"])
    }

    @Test func responseDeadline_keepsPipelinedAnswersInOrder() {
        var connection = EmbeddedConnection(
            configure: { $0.responseTimeout = .seconds(1) },
            handler: EmbeddedConnection.holdingA
        )
        connection.send(Self.get)
        connection.advance(by: .seconds(1))
        #expect(connection.takeResponses().map(\.status) == [504, 200])
        #expect(connection.dispatched == ["/a", "/b"])
    }

    // MARK: - Observer

    @Test func observer_seesEachResponse_withStatusAndDuration() {
        let seen = Recorder<String>()
        var connection = EmbeddedConnection(
            observer: { request, status, duration in seen.append("\(request?.path ?? "-") \(status.code) \(duration)")
            },
            handler: EmbeddedConnection.never
        )
        connection.send("GET /a HTTP/1.1\r\nHost: t\r\n\r\n")
        connection.advance(by: .milliseconds(7))
        connection.answerPending()
        connection.send("GET /b HTTP/1.1\r\nHost: t\r\nX-Big: \(String(repeating: "x", count: 20_000))\r\n\r\n")
        #expect(seen.all == ["/a 200 0.007 seconds", "/b 431 0.0 seconds"])
    }
}
