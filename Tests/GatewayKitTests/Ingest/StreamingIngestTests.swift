import Foundation
import HTTPCore
import KafkaBridge
import Logging
import Testing

@testable import GatewayKit

#if canImport(Glibc)
import Glibc
#endif

/// Streaming ingest (`POST /transactions` with a chunked NDJSON body and `Accept:
/// application/x-ndjson`) over real sockets: the gateway's routes on a real HTTP server, producing to
/// the embedded cluster (or, for flow control, to a stand-in that holds its reports).
@Suite(.serialized) struct StreamingIngestTests {
    static let head =
        "POST /transactions HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-ndjson\r\n"
        + "Accept: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n"

    @Test func resultsArriveWhileTheBodyIsStillBeingSent_inOrder() throws {
        let gateway = try StreamingGateway(cluster: true)
        defer { gateway.close() }
        let client = try LineClient(port: gateway.port)
        try client.send(
            Self.head
                + Self.chunk(lines: ["s-1", "s-2", "s-3"].map { sampleTransaction(id: $0, account: "acc-\($0)") })
        )
        let head = try client.readHead()
        #expect(head.contains("200 OK") && head.contains("application/x-ndjson"))
        let first = try client.readLines(3)
        #expect(first.map { $0["id"] as? String } == ["s-1", "s-2", "s-3"])
        #expect(first.allSatisfy { $0["status"] as? String == "accepted" && $0["offset"] is Int })
        try client.send(
            Self.chunk(lines: ["s-4", "s-5"].map { sampleTransaction(id: $0, account: "acc-\($0)") }) + "0\r\n\r\n"
        )
        let rest = try client.readLines(2)
        #expect(rest.map { $0["id"] as? String } == ["s-4", "s-5"])
        #expect(try client.readEndOfBody(), "the response ends once every line is answered and the body ended")
    }

    @Test func aBadLine_getsItsOwnProblemLine_andTheStreamGoesOn() throws {
        let gateway = try StreamingGateway(cluster: true)
        defer { gateway.close() }
        let client = try LineClient(port: gateway.port)
        let lines = [
            sampleTransaction(id: "b-1", account: "acc-1"), "{not json", sampleTransaction(id: "b-3", amount: "-5"),
            sampleTransaction(id: "b-4", account: "acc-1"),
        ]
        try client.send(Self.head + Self.chunk(lines: lines))
        _ = try client.readHead()
        let results = try client.readLines(4)
        #expect(results[0]["status"] as? String == "accepted")
        #expect(results[1]["status"] as? Int == 400)
        #expect(results[2]["status"] as? Int == 422)
        #expect(results[3]["id"] as? String == "b-4" && results[3]["status"] as? String == "accepted")
        try client.send(Self.chunk(lines: [sampleTransaction(id: "b-5", account: "acc-1")]) + "0\r\n\r\n")
        #expect(try client.readLines(1).first?["id"] as? String == "b-5")
        #expect(try client.readEndOfBody())
    }

    /// A stream outlives the admission check at its start: a line read while the monitor is past
    /// `--max-monitor-lag` gets the 503 a request would get, and the stream goes on once it is back.
    @Test func linesReadWhileTheMonitorIsBehind_get503ProblemLines_andTheStreamGoesOn() throws {
        let gate = MonitorLagGate(bound: 100, coversUnownedPartitions: false, logger: quietLogger("gate"))
        let gateway = try StreamingGateway(cluster: false, standInBehaviour: .accept, monitorGate: gate)
        defer { gateway.close() }
        let client = try LineClient(port: gateway.port)
        try client.send(Self.head + Self.chunk(lines: [sampleTransaction(id: "m-1", account: "acc-1")]))
        _ = try client.readHead()
        #expect(try client.readLines(1).first?["status"] as? String == "accepted")
        gate.acknowledged(partition: 0, offset: 499)
        gate.update(owned: [(partition: 0, position: 0, highWatermark: 500)])  // 500 behind a bound of 100
        try client.send(Self.chunk(lines: ["m-2", "m-3"].map { sampleTransaction(id: $0, account: "acc-1") }))
        let refused = try client.readLines(2)
        #expect(refused.map { $0["status"] as? Int } == [503, 503])
        #expect(refused.allSatisfy { $0["title"] as? String == "Monitor behind" })
        gate.update(owned: [(partition: 0, position: 500, highWatermark: 500)])
        try client.send(Self.chunk(lines: [sampleTransaction(id: "m-4", account: "acc-1")]) + "0\r\n\r\n")
        let after = try client.readLines(1)
        #expect(after.first?["id"] as? String == "m-4" && after.first?["status"] as? String == "accepted")
        #expect(try client.readEndOfBody())
    }

    /// With no acknowledgement coming, the gateway reads `maxUnanswered` lines and then stops reading:
    /// the rest waits in the kernel until results are answered.
    @Test func flowControl_stopsReadingAtTheBound_andResumesAsResultsAreAnswered() throws {
        let gateway = try StreamingGateway(cluster: false, maxUnanswered: 10)
        defer { gateway.close() }
        let client = try LineClient(port: gateway.port)
        // One line per chunk, 40 of them at once: each chunk is a piece of body of its own.
        let lines = (1...40).map { sampleTransaction(id: "f-\($0)", account: "acc-\($0 % 7)") }
        try client.send(Self.head + lines.map { Self.chunk(lines: [$0]) }.joined())
        _ = try client.readHead()
        #expect(try waitUntil { gateway.produced == 10 })
        // One event loop: once it answered another connection, it is done with the first one's bytes.
        try LineClient(port: gateway.port).send(
            "GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
            andRead: true
        )
        #expect(gateway.produced == 10, "no line past the bound is read while none is answered")
        gateway.releaseHeld()
        #expect(
            try waitUntil {
                gateway.releaseHeld()
                return gateway.produced == 40
            }
        )
        try client.send("0\r\n\r\n")
        let results = try client.readLines(40)
        #expect(results.map { $0["id"] as? String } == lines.indices.map { "f-\($0 + 1)" })
        #expect(try client.readEndOfBody())
    }

    /// A client that keeps sending and never reads its results is cut off after the server's send
    /// timeout (`idleTimeout`), and its stream's place is given back.
    @Test func clientThatStopsReading_isCutOff() throws {
        let gateway = try StreamingGateway(cluster: true, idleTimeout: .seconds(1))
        defer { gateway.close() }
        let client = try LineClient(port: gateway.port, receiveBuffer: 4096)
        try client.send(Self.head)
        #expect(try waitUntil { gateway.server.openStreams == 1 })
        let chunk = Self.chunk(lines: (1...50).map { sampleTransaction(id: "r-\($0)", account: "acc-\($0 % 9)") })
        // Keep sending until the gateway cuts us off (a reset) or gave up our stream, bounded. A full
        // socket alone proves nothing: the gateway may only be waiting for acknowledgements.
        let end = Date().addingTimeInterval(60)
        var outcome = LineClient.SendOutcome.sent
        while Date() < end, gateway.server.openStreams == 1 {
            outcome = client.sendWithoutBlocking(chunk)
            if outcome == .reset { break }
        }
        #expect(try waitUntil { gateway.server.openStreams == 0 }, "cut off after the send timeout")
    }

    static func chunk(lines: [String]) -> String {
        let data = lines.map { $0 + "\n" }.joined()
        return String(data.utf8.count, radix: 16) + "\r\n" + data + "\r\n"
    }
}

/// Waits, bounded, for `condition`; false when it never held.
private func waitUntil(seconds: Double = 10, _ condition: () -> Bool) throws -> Bool {
    let end = Date().addingTimeInterval(seconds)
    while Date() < end {
        if condition() { return true }
        usleep(5_000)
    }
    return condition()
}

/// The gateway's routes on a real HTTP server with one event loop, over the embedded cluster or a
/// stand-in producer that holds every report until released.
private final class StreamingGateway {
    let server: HTTPServer
    let port: Int
    private let cluster: EmbeddedKafkaCluster?
    private let pool: KafkaProducerPool?
    private let standIn: StandInProducer?

    init(
        cluster useCluster: Bool,
        standInBehaviour: StandInProducer.Behaviour = .hold,
        monitorGate: MonitorLagGate? = nil,
        maxUnanswered: Int = 1000,
        idleTimeout: Duration = .seconds(60)
    ) throws {
        let logger = quietLogger("streaming")
        var configuration = GatewayConfiguration()
        configuration.deliveryTimeout = .seconds(10)
        let producer: any RecordProducer
        if useCluster {
            let cluster = try EmbeddedClusterLauncher.start(
                brokers: 3,
                partitions: 6,
                topics: ["transactions"],
                logger: logger
            )
            let pool = try KafkaProducerPool(
                configuration: configuration.producer(bootstrapServers: cluster.bootstrapServers),
                logger: logger
            )
            self.cluster = cluster
            self.pool = pool
            standIn = nil
            producer = KafkaRecordProducer(pool: pool)
        } else {
            let standIn = StandInProducer(standInBehaviour)
            cluster = nil
            pool = nil
            self.standIn = standIn
            producer = standIn
        }
        let metrics = GatewayMetrics(knownRoutes: GatewayRoutes.knownRoutes)
        var routes = GatewayRoutes(
            producer: producer,
            topic: "transactions",
            maxBatchItems: 1000,
            metrics: metrics,
            idempotency: IdempotencyStore(),
            pendingRecords: PendingRecords(limit: 100_000),
            health: HealthRoutes(
                probe: ReadinessProbe(freshness: .zero) { .success(["127.0.0.1:9092"]) },
                deliveryHealth: { [] },
                deliveryReadiness: DeliveryReadiness(deliveryTimeout: .seconds(10)),
                bootstrapServers: "127.0.0.1:9092",
                embedded: false
            ),
            monitor: nil,
            authenticator: nil,
            logger: logger
        )
        routes.maxStreamUnanswered = maxUnanswered
        routes.monitorGate = monitorGate
        var http = configuration.server
        http.host = "127.0.0.1"
        http.port = 0
        http.eventLoopCount = 1
        http.idleTimeout = idleTimeout
        server = HTTPServer(configuration: http, logger: logger, handler: routes.router().handler)
        port = try server.start()
    }

    var produced: Int { standIn?.produced.count ?? 0 }
    func releaseHeld() { standIn?.releaseHeld() }

    func close() {
        server.shutdown(gracePeriod: .seconds(1))
        pool?.close(timeout: .seconds(2))
        cluster?.close()
    }
}

/// A blocking loopback client that sends raw bytes and reads a chunked NDJSON response line by line;
/// every read is bounded by a receive timeout.
private final class LineClient {
    private let fd: Int32
    private var buffer: [UInt8] = []
    /// De-chunked body bytes not yet returned as lines.
    private var body: [UInt8] = []
    private var ended = false

    init(port: Int, receiveBuffer: Int32? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            Glibc.close(fd)
            throw ClientFailure.connect
        }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var sendTimeout = timeval(tv_sec: 0, tv_usec: 300_000)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &sendTimeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { Glibc.close(fd) }

    enum ClientFailure: Error { case connect, send, timeout, closed, malformed }

    func send(_ text: String, andRead: Bool = false) throws {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { throw ClientFailure.send }
            offset += sent
        }
        if andRead { _ = try readHead() }
    }

    enum SendOutcome { case sent, full, reset }

    /// Sends all of `text` unless the socket's buffer stays full for the send timeout (`.full`) or
    /// the peer reset the connection.
    func sendWithoutBlocking(_ text: String) -> SendOutcome {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if sent < 0, errno == EAGAIN || errno == EWOULDBLOCK { return .full }
            guard sent > 0 else { return .reset }
            offset += sent
        }
        return .sent
    }

    private func receiveMore() throws {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count < 0 { throw ClientFailure.timeout }
        if count == 0 { throw ClientFailure.closed }
        buffer += chunk[..<count]
    }

    /// The status line and fields of the response.
    func readHead() throws -> String {
        while true {
            if let end = find([13, 10, 13, 10], in: buffer) {
                let head = String(decoding: buffer[..<end], as: UTF8.self)
                buffer.removeFirst(end + 4)
                return head
            }
            try receiveMore()
        }
    }

    /// The next `count` result lines, parsed.
    func readLines(_ count: Int) throws -> [[String: Any]] {
        var lines: [[String: Any]] = []
        while lines.count < count {
            if let newline = body.firstIndex(of: 10) {
                let line = Array(body[..<newline])
                body.removeFirst(newline + 1)
                guard let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
                    throw ClientFailure.malformed
                }
                lines.append(object)
                continue
            }
            guard try readChunk() else { throw ClientFailure.closed }
        }
        return lines
    }

    /// True when the next chunk is the last (the body ended) and nothing is left unread.
    func readEndOfBody() throws -> Bool {
        while try readChunk() {}
        return ended && body.isEmpty
    }

    /// Reads one chunk into `body`; false at the last chunk.
    private func readChunk() throws -> Bool {
        guard !ended else { return false }
        while true {
            if let lineEnd = find([13, 10], in: buffer) {
                guard let size = Int(String(decoding: buffer[..<lineEnd], as: UTF8.self), radix: 16) else {
                    throw ClientFailure.malformed
                }
                let total = lineEnd + 2 + size + 2
                while buffer.count < total { try receiveMore() }
                body += buffer[(lineEnd + 2)..<(lineEnd + 2 + size)]
                buffer.removeFirst(total)
                if size == 0 { ended = true }
                return size > 0
            }
            try receiveMore()
        }
    }

    private func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count)
        where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return start
        }
        return nil
    }
}
