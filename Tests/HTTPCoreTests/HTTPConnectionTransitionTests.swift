import Testing

@testable import HTTPCore

/// The connection's state machine, one transition at a time: a state and an input in, the action the
/// shell is asked to perform out.
@Suite("HTTPConnectionState transitions")
struct HTTPConnectionTransitionTests {
    static let get = "GET /a HTTP/1.1\r\nHost: t\r\n\r\n"
    static let time = EventTime(monotonic: 1_000_000_000, date: EmbeddedConnection.date)

    /// The state under test, in a class so that `#expect` can call into it.
    final class Machine {
        var state: HTTPConnectionState

        init(_ state: HTTPConnectionState) {
            self.state = state
        }

        /// The next action, named (`.dispatch` with its sequence number).
        func next() -> String {
            switch state.nextAction(at: HTTPConnectionTransitionTests.time) {
            case .read: "read"
            case .dispatch(_, let sequence):
                state.streamsBody(of: sequence) ? "dispatch \(sequence) streaming its body" : "dispatch \(sequence)"
            case .deliverBody:
                switch state.takeBodyEvent() {
                case .data(let bytes): "body \(String(decoding: bytes, as: UTF8.self))"
                case .end: "body end"
                case .failed: "body failed"
                case nil: "no body event"
                }
            case .write: "write"
            case .shutdownOutput: "shutdownOutput"
            case .discard: "discard"
            case .close: "close"
            case .wait: "wait"
            }
        }

        /// The client's bytes arrive in one read.
        func receive(_ text: String) {
            let bytes = Array(text.utf8)
            state.receive { buffer in
                buffer.copyBytes(from: bytes)
                return .transferred(bytes.count)
            }
        }

        /// The socket takes all pending output.
        func sendAll() {
            state.send { .transferred($0.count) }
        }
    }

    /// A fresh connection's state, no socket: the test is the shell.
    private func fresh(_ configuration: HTTPServerConfiguration = HTTPServerConfiguration()) -> Machine {
        let context = ServerContext(configuration: configuration, logger: testLogger, observer: nil) { _, _ in }
        let parser = HTTPParser(limits: context.limits, remoteAddress: "192.0.2.7:4321")
        return Machine(HTTPConnectionState(context: context, parser: parser, logger: testLogger, at: Self.time))
    }

    /// A connection with request 1 in the handler's hands.
    private func awaitingResponse() -> Machine {
        let machine = fresh()
        machine.state.becameReadable()
        _ = machine.next()
        machine.receive(Self.get)
        #expect(machine.next() == "dispatch 1")
        return machine
    }

    @Test func fresh_readable_reads() {
        let connection = fresh()
        #expect(connection.next() == "wait", "nothing to do before the socket reports bytes")
        connection.state.becameReadable()
        #expect(connection.next() == "read")
    }

    @Test func reading_wholeRequest_dispatchesIt() {
        let connection = fresh()
        connection.state.becameReadable()
        #expect(connection.next() == "read")
        connection.receive(Self.get)
        #expect(connection.next() == "dispatch 1")
        #expect(connection.state.hasRequestInFlight)
    }

    @Test func reading_partialHead_waitsForTheSocket_thenReadsTheRest() {
        let connection = fresh()
        connection.state.becameReadable()
        _ = connection.next()
        connection.receive("GET /a HTTP/1.1\r\n")
        #expect(connection.next() == "wait", "edge-triggered: a short read emptied the socket")
        connection.state.becameReadable()
        #expect(connection.next() == "read")
        connection.receive("Host: t\r\n\r\n")
        #expect(connection.next() == "dispatch 1")
    }

    @Test func awaitingResponse_readable_doesNotRead() {
        let connection = awaitingResponse()
        connection.state.becameReadable()
        #expect(connection.next() == "wait", "requests are handled one after another")
    }

    @Test func awaitingResponse_response_writes_thenReadsTheNextRequest() {
        let connection = awaitingResponse()
        let answered = connection.state.responseArrived(sequence: 1, .text(200, "ok"), at: Self.time)
        #expect(answered)
        #expect(connection.next() == "write")
        connection.sendAll()
        #expect(connection.next() == "wait")
        #expect(!connection.state.hasRequestInFlight)
        connection.state.becameReadable()
        #expect(connection.next() == "read")
    }

    @Test func awaitingResponse_answerToAnotherSequence_isDropped() {
        let connection = awaitingResponse()
        let answeredStale = connection.state.responseArrived(sequence: 2, .text(200, "ok"), at: Self.time)
        #expect(!answeredStale)
        #expect(connection.next() == "wait")
        #expect(connection.state.hasRequestInFlight)
    }

    @Test func closingResponse_writes_thenShutsDownOutput_thenDiscards_thenClosesOnEOF() {
        let connection = awaitingResponse()
        connection.state.responseArrived(
            sequence: 1,
            HTTPResponse(status: 200, headers: ["Connection": "close"]),
            at: Self.time
        )
        #expect(connection.next() == "write")
        connection.sendAll()
        #expect(connection.next() == "shutdownOutput", "lingering close (RFC 9112 §9.6)")
        #expect(connection.next() == "discard", "bytes that arrived before the shutdown raise no new event")
        connection.state.discarded(.wouldBlock)
        #expect(connection.next() == "wait")
        connection.state.becameReadable()
        #expect(connection.next() == "discard")
        connection.state.discarded(.endOfInput)
        #expect(connection.next() == "close")
        #expect(connection.next() == "wait", "nothing follows a close")
    }

    @Test func writeBlocked_waitsForRoom_thenWrites() {
        let connection = awaitingResponse()
        connection.state.responseArrived(sequence: 1, .text(200, "ok"), at: Self.time)
        #expect(connection.next() == "write")
        connection.state.send { _ in .wouldBlock }
        #expect(connection.next() == "wait")
        connection.state.becameWritable()
        #expect(connection.next() == "write")
    }

    @Test func anyState_connectionBroken_closes() {
        let reading = fresh()
        reading.state.connectionBroken()
        #expect(reading.next() == "close")
        let waiting = awaitingResponse()
        waiting.state.connectionBroken()
        #expect(waiting.next() == "close")
        let answeredLate = waiting.state.responseArrived(sequence: 1, .text(200, "late"), at: Self.time)
        #expect(!answeredLate)
    }

    @Test func badRequest_writes400_thenClosesPolitely() {
        let connection = fresh()
        connection.state.becameReadable()
        _ = connection.next()
        connection.receive("GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n")
        #expect(connection.next() == "write")
        connection.sendAll()
        #expect(connection.next() == "shutdownOutput")
    }

    @Test func endOfInputBetweenRequests_closesWithoutWriting() {
        let connection = fresh()
        connection.state.becameReadable()
        _ = connection.next()
        connection.state.receive { _ in .endOfInput }
        #expect(connection.next() == "close", "the client closed its side: no lingering needed")
    }

    @Test func streamStarted_writesTheHead_thenDiscardsInput_thenEnds() {
        let connection = awaitingResponse()
        let opened = connection.state.streamStarted(
            sequence: 1,
            .text(200, "", contentType: "text/event-stream"),
            at: Self.time
        )
        #expect(opened)
        #expect(connection.state.streamSequence == 1)
        #expect(connection.next() == "write")
        connection.sendAll()
        #expect(connection.next() == "wait")
        connection.state.becameReadable()
        #expect(connection.next() == "discard", "a stream reads only to notice the client leaving")
        connection.state.discarded(.wouldBlock)
        let written = connection.state.streamWrite(Array("data\n".utf8))
        #expect(written == .written)
        #expect(connection.next() == "write")
        connection.sendAll()
        connection.state.streamEnded()
        #expect(connection.state.streamSequence == nil)
        #expect(connection.next() == "write", "the last chunk")
        connection.sendAll()
        #expect(connection.next() == "shutdownOutput")
    }

    @Test func draining_idleConnection_closes_busyOneAnswersFirst() {
        let idle = fresh()
        idle.state.beginDraining()
        #expect(idle.next() == "close")
        let busy = awaitingResponse()
        busy.state.beginDraining()
        #expect(busy.next() == "wait")
        busy.state.responseArrived(sequence: 1, .text(200, "ok"), at: Self.time)
        #expect(busy.next() == "write")
        busy.sendAll()
        #expect(busy.next() == "shutdownOutput", "a draining server closes after the answer")
    }

    @Test func streamedBody_piecesAsTheyArrive_pauseStopsReading_endEndsTheBody() {
        var configuration = HTTPServerConfiguration()
        configuration.streamsRequestBody = { $0.path == "/in" }
        let connection = fresh(configuration)
        connection.state.becameReadable()
        _ = connection.next()
        connection.receive("POST /in HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n")
        #expect(connection.next() == "dispatch 1 streaming its body", "the head is handed over before the body ends")
        #expect(connection.next() == "body abc")
        connection.state.setBodyReading(false, sequence: 1)
        connection.state.becameReadable()
        #expect(connection.next() == "wait", "paused: not even a read")
        connection.state.setBodyReading(true, sequence: 1)
        #expect(connection.next() == "read")
        connection.receive("2\r\nde\r\n0\r\n\r\n")
        #expect(connection.next() == "body de")
        #expect(connection.next() == "body end")
        #expect(!connection.state.isReadingBody)
        #expect(connection.next() == "wait", "the request is still the handler's")
    }

    @Test func streamedBody_answeredBeforeItEnds_closesAfterTheResponse() {
        var configuration = HTTPServerConfiguration()
        configuration.streamsRequestBody = { _ in true }
        let connection = fresh(configuration)
        connection.state.becameReadable()
        _ = connection.next()
        connection.receive("POST /in HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
        #expect(connection.next() == "dispatch 1 streaming its body")
        let answered = connection.state.responseArrived(sequence: 1, .text(400, "no"), at: Self.time)
        #expect(answered)
        #expect(!connection.state.isReadingBody, "the rest of the body is not read")
        #expect(connection.next() == "write")
        connection.sendAll()
        #expect(connection.next() == "shutdownOutput")
    }

    /// A streamed-body request answered with a stream (streaming ingest), backlog bound 1000 bytes.
    private func streamAnsweringItsBody() -> Machine {
        var configuration = HTTPServerConfiguration()
        configuration.streamsRequestBody = { _ in true }
        configuration.maxStreamBacklogBytes = 1000
        let connection = fresh(configuration)
        connection.state.becameReadable()
        _ = connection.next()
        connection.receive("POST /in HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n")
        #expect(connection.next() == "dispatch 1 streaming its body")
        #expect(connection.next() == "body abc")
        let opened = connection.state.streamStarted(sequence: 1, .text(200, ""), at: Self.time)
        #expect(opened)
        return connection
    }

    /// A stream that answers its request's body (streaming ingest) is held back, not dropped: once
    /// output waits, the body is not read, and results of what was read still fit (up to four times
    /// the backlog bound, where an event stream is dropped at once).
    @Test func streamAnsweringItsBody_slowReader_stopsBeingRead_andIsNotDroppedAtTheBacklogBound() {
        let connection = streamAnsweringItsBody()
        let result = Array(repeating: UInt8(ascii: "r"), count: 300)
        let written = (0..<10).map { _ in connection.state.streamWrite(result) }
        #expect(written.allSatisfy { $0 == .written }, "3000 bytes waiting: past the bound, within four times it")
        connection.state.becameReadable()
        #expect(connection.next() == "write")
        connection.state.send { _ in .wouldBlock }  // the client does not read
        #expect(connection.next() == "wait", "more body bytes may wait in the socket: they are not read")
        #expect(connection.state.streamWrite(Array(repeating: UInt8(ascii: "r"), count: 1200)) == .dropped)
    }

    /// Results still on their way to the loop count as unread output: a body is not read while
    /// they pass the bound, even with nothing in the connection's own output yet.
    @Test func streamAnsweringItsBody_resultsQueuedForTheLoop_holdTheBodyBack() {
        let connection = streamAnsweringItsBody()
        connection.sendAll()
        connection.state.becameReadable()
        connection.state.streamBytesQueued = 1000
        #expect(connection.next() == "wait")
        connection.state.streamBytesQueued = 0
        #expect(connection.next() == "read")
    }

    @Test func markClosed_waitsForever() {
        let connection = awaitingResponse()
        connection.state.markClosed()
        #expect(connection.state.isClosed)
        connection.state.becameReadable()
        #expect(connection.next() == "wait")
    }
}
