import Foundation
import Testing

@testable import HTTPCore

/// Streaming responses over real sockets: chunks written from another thread arrive in order, the
/// stream limit answers 503 and frees a place when a client leaves, and shutdown ends streams.
@Suite("HTTPServer streams", .serialized)
struct HTTPServerStreamTests {
    /// `/events` answers with a stream the test writes to; everything else is echoed.
    private static func streamingHandler(_ streams: Recorder<HTTPStream>) -> HTTPHandler {
        { request, responder in
            guard request.path == "/events" else { return echoHandler(request, responder) }
            let head = HTTPResponse(
                status: 200,
                headers: HTTPHeaders([("Content-Type", "text/event-stream")]),
                body: Array(": hello\n\n".utf8)
            )
            if let stream = responder.startStream(head) { streams.append(stream) }
        }
    }

    private static let request = "GET /events HTTP/1.1\r\nHost: t\r\n\r\n"

    @Test func stream_chunksFromAnotherThread_arriveInOrder_limitAnswers503_untilAClientLeaves() throws {
        let streams = Recorder<HTTPStream>()
        try withServer(configure: { $0.maxStreams = 1 }, handler: Self.streamingHandler(streams)) { server, port in
            let first = try RawClient(port: port)
            first.send(Self.request)
            let head = try first.readResponse()
            #expect(head.status == 200)
            #expect(head.header("Transfer-Encoding") == "chunked")
            #expect(try first.read(through: ": hello\n\n\r\n").hasSuffix("9\r\n: hello\n\n\r\n"))
            let stream = try #require(streams.wait(for: 1).first)
            let writer = Thread { for index in 0..<50 { stream.write(Array("data: \(index)\n\n".utf8)) } }
            writer.start()
            let body = try first.read(through: "data: 49\n\n\r\n")
            let received = body.components(separatedBy: "\r\n").filter { $0.hasPrefix("data: ") }
            #expect(received == (0..<50).map { "data: \($0)\n\n" })

            let second = try RawClient(port: port)
            second.send(Self.request)
            let refused = try second.readResponse()
            #expect(refused.status == 503)
            #expect(refused.header("Retry-After") != nil)
            #expect(server.openStreams == 1)

            first.shutdownWrite()  // the client leaves: its place is given back
            #expect(first.waitForClose())
            #expect(waitUntil { !stream.isOpen && server.openStreams == 0 })
            #expect(!stream.write(Array("data: late\n\n".utf8)))
            let third = try RawClient(port: port)
            third.send(Self.request)
            #expect(try third.readResponse().status == 200)
        }
    }

    /// Streams never end by themselves, so the server's stop ends them: the client gets the last
    /// chunk and the connection closes, and no request is cut off.
    @Test func shutdown_endsOpenStreams_withTheLastChunk() throws {
        let streams = Recorder<HTTPStream>()
        var configuration = HTTPServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.eventLoopCount = 2
        let server = HTTPServer(
            configuration: configuration,
            logger: testLogger,
            handler: Self.streamingHandler(streams)
        )
        let port = try server.start()
        let clients = try (0..<3).map { _ in try RawClient(port: port) }
        for client in clients {
            client.send(Self.request)
            #expect(try client.readResponse().status == 200)
        }
        #expect(streams.wait(for: 3).count == 3)
        #expect(server.shutdown(gracePeriod: .seconds(20)) == 0)
        for client in clients {
            #expect(try client.read(through: "0\r\n\r\n").hasSuffix("\r\n0\r\n\r\n"))
            #expect(client.waitForClose())
        }
        #expect(streams.all.allSatisfy { !$0.isOpen })
        #expect(server.openStreams == 0)
    }
}
