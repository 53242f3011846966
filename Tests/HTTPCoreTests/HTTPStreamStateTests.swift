import Testing

@testable import HTTPCore

/// Streaming responses (`HTTPResponder.startStream`) on the connection's state, without sockets.
@Suite("HTTPConnectionState streams")
struct HTTPStreamStateTests {
    static let request = "GET /events HTTP/1.1\r\nHost: t\r\n\r\n"

    private func streaming(_ configure: (inout HTTPServerConfiguration) -> Void = { _ in }) -> EmbeddedConnection {
        var connection = EmbeddedConnection(configure: configure, handler: EmbeddedConnection.never)
        connection.send(Self.request)
        let opened = connection.startStream()
        #expect(opened)
        return connection
    }

    /// RFC 9112 §7.1: an HTTP/1.1 stream is chunked, so the client can tell its end from a cut.
    @Test func stream_headThenOneChunkPerWrite_lastChunkAtTheEnd_thenCloses() {
        var connection = streaming()
        let head = connection.takeOutput()
        #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(head.contains("Transfer-Encoding: chunked\r\n"))
        #expect(head.contains("Connection: close\r\n"))
        #expect(!head.contains("Content-Length"))
        #expect(head.hasSuffix("\r\n\r\n"))
        let first = connection.streamWrite("data: one\n\n")
        #expect(first == .written)
        let second = connection.streamWrite(String(repeating: "x", count: 300))
        #expect(second == .written)
        #expect(
            connection.takeOutput() == "b\r\ndata: one\n\n\r\n" + "12c\r\n" + String(repeating: "x", count: 300)
                + "\r\n"
        )
        connection.streamEnd()
        #expect(connection.takeOutput() == "0\r\n\r\n")
        #expect(connection.outputShutDown, "lingering close after the last chunk")
        let late = connection.streamWrite("late")
        #expect(late == .ignored)
        #expect(connection.takeOutput() == "")
    }

    /// HTTP/1.0 has no chunked coding: the body ends with the connection (RFC 9112 §6.3).
    @Test func stream_http10_isCloseDelimited() {
        var connection = EmbeddedConnection(handler: EmbeddedConnection.never)
        connection.send("GET /events HTTP/1.0\r\n\r\n")
        let opened = connection.startStream()
        #expect(opened)
        let head = connection.takeOutput()
        #expect(head.contains("Connection: close\r\n"))
        #expect(!head.contains("Transfer-Encoding") && !head.contains("Content-Length"))
        connection.streamWrite("data: one\n\n")
        #expect(connection.takeOutput() == "data: one\n\n")
        connection.streamEnd()
        #expect(connection.takeOutput() == "")
        #expect(connection.outputShutDown)
    }

    @Test func stream_headBody_isTheFirstChunk() {
        var connection = EmbeddedConnection(handler: EmbeddedConnection.never)
        connection.send(Self.request)
        connection.startStream(.text(200, "retry: 2000\n\n", contentType: "text/event-stream"))
        #expect(connection.takeOutput().hasSuffix("\r\n\r\nd\r\nretry: 2000\n\n\r\n"))
    }

    /// RFC 9110 §9.3.2: HEAD gets the head only, and no stream is held open for it.
    @Test func stream_forHEAD_sendsTheHeadOnly_andIsNotOpen() {
        var connection = EmbeddedConnection(handler: EmbeddedConnection.never)
        connection.send("HEAD /events HTTP/1.1\r\nHost: t\r\n\r\n")
        let opened = connection.startStream(.text(200, "first", contentType: "text/event-stream"))
        #expect(!opened)
        let output = connection.takeOutput()
        #expect(output.hasSuffix("Connection: close\r\n\r\n"))
        #expect(connection.outputShutDown)
    }

    /// A slow reader costs bounded memory: past the backlog bound it is dropped, not buffered.
    @Test func stream_clientThatDoesNotRead_isDroppedPastTheBacklogBound() {
        var connection = streaming { $0.maxStreamBacklogBytes = 1000 }
        _ = connection.takeOutput()
        connection.socketRoom = 0
        let event = String(repeating: "e", count: 300)
        let written = (0..<3).map { _ in connection.streamWrite(event) }
        #expect(written == [.written, .written, .written])
        #expect(!connection.isClosed)
        let fourth = connection.streamWrite(event)
        #expect(fourth == .dropped)
        #expect(connection.isClosed)
    }

    @Test func stream_clientThatReadsSlowly_butKeepsUp_staysConnected() {
        var connection = streaming { $0.maxStreamBacklogBytes = 1000 }
        connection.socketRoom = 0
        for _ in 0..<20 {
            let written = connection.streamWrite(String(repeating: "e", count: 300))
            #expect(written == .written)
            connection.read(room: 400)
        }
        #expect(!connection.isClosed)
        #expect(connection.takeOutput().utf8.count > 20 * 300)
    }

    /// A stream has no idle timeout and no response deadline: it is open as long as the client stays.
    @Test func stream_quietForMinutes_staysOpen_untilTheClientLeaves() {
        var connection = streaming { $0.responseTimeout = .seconds(1) }
        _ = connection.takeOutput()
        let tick = connection.advance(by: .seconds(600))
        #expect(tick == .none)
        #expect(!connection.isClosed)
        #expect(connection.takeOutput() == "", "no 504 for a request answered with a stream")
        connection.shutDownInput()
        #expect(connection.isClosed)
    }

    /// Requests pipelined behind the stream are never answered: the stream ends the connection.
    @Test func stream_bytesTheClientSends_areDiscarded_notParsed() {
        var connection = streaming()
        connection.send("GET /other HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(connection.dispatched == ["/events"])
        #expect(!connection.isClosed)
    }

    /// Shutdown never waits on a stream: draining ends it with the last chunk and closes.
    @Test func stream_serverDraining_endsTheStream() {
        var connection = streaming()
        _ = connection.takeOutput()
        connection.drain()
        #expect(connection.takeOutput() == "0\r\n\r\n")
        #expect(connection.outputShutDown)
        connection.shutDownInput()
        #expect(connection.isClosed)
    }

    @Test func stream_startedWhileDraining_isEndedAtOnce() {
        var connection = EmbeddedConnection(handler: EmbeddedConnection.never)
        connection.send(Self.request)
        connection.drain()
        let opened = connection.startStream()
        #expect(!opened)
        #expect(connection.takeOutput().hasSuffix("\r\n\r\n0\r\n\r\n"))
    }
}
