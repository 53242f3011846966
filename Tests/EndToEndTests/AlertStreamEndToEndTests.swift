import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `GET /alerts/stream` through the real gateway, read by curl (an independent SSE reader that
/// prints the stream as it comes) and by a raw socket that never reads.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct AlertStreamEndToEndTests {
    /// One SSE reader: `curl -N`, its output parsed into events. Stopped by its PID.
    final class StreamReader: @unchecked Sendable {
        struct Event: Equatable {
            var id: String
            var alertID: String
            var accountID: String
        }

        let child: ChildProcess

        init(_ url: String, headers: [String: String] = [:]) throws {
            child = try ChildProcess(
                URL(fileURLWithPath: "/usr/bin/curl"),
                ["-sS", "-N", "--max-time", "60", "-D", "-"] + headers.flatMap { ["-H", "\($0.key): \($0.value)"] } + [
                    url
                ]
            )
        }

        deinit { _ = child.stop(grace: .seconds(1)) }

        var text: String { child.output }

        var status: Int? { text.firstMatch(of: /HTTP\/1\.1 (\d{3})/).flatMap { Int($0.1) } }

        var events: [Event] {
            text.components(separatedBy: "\n\n").compactMap { block -> Event? in
                let lines = block.split(separator: "\n")
                guard let id = lines.first(where: { $0.hasPrefix("id: ") })?.dropFirst(4),
                    let data = lines.first(where: { $0.hasPrefix("data: ") })?.dropFirst(6),
                    let object = try? JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any]
                else { return nil }
                return Event(
                    id: String(id),
                    alertID: object["id"] as? String ?? "",
                    accountID: object["account_id"] as? String ?? ""
                )
            }
        }

        @discardableResult
        func waitFor(timeout: Duration, _ condition: (StreamReader) -> Bool) -> Bool {
            child.wait(timeout: timeout) { _ in condition(self) }
        }
    }

    static func start(_ extra: [String] = []) throws -> GatewayProcess {
        try GatewayProcess.start(
            AlertWebhookEndToEndTests.onlyHighAmount + ["--alert-stream-heartbeat-ms", "300"]
                + extra
        )
    }

    @Test func stream_filtersLikeGetAlerts_andResumesAfterLastEventID_withoutGapOrRepeat() async throws {
        let gateway = try Self.start()
        defer { gateway.stop() }
        let mine = try StreamReader("\(gateway.baseURL)/alerts/stream?account_id=acc-s1")
        let critical = try StreamReader("\(gateway.baseURL)/alerts/stream?severity=critical")
        #expect(mine.waitFor(timeout: .seconds(10)) { $0.status == 200 })
        #expect(critical.waitFor(timeout: .seconds(10)) { $0.text.contains(": heartbeat") })

        for (index, account) in ["acc-s1", "acc-s2", "acc-s1", "acc-s1"].enumerated() {
            try await AlertWebhookEndToEndTests.postAlerting(gateway, id: "st-\(index)", account: account)
        }
        #expect(mine.waitFor(timeout: .seconds(20)) { $0.events.count == 3 })
        let first = mine.events
        #expect(first.allSatisfy { $0.accountID == "acc-s1" })
        #expect(Set(first.map(\.alertID)).count == 3)
        #expect(critical.events.isEmpty)  // high_amount is "high"

        // A client that saw only the first event reconnects: it gets the two after it, then live ones.
        let resumed = try StreamReader(
            "\(gateway.baseURL)/alerts/stream?account_id=acc-s1",
            headers: ["Last-Event-ID": first[0].id]
        )
        #expect(resumed.waitFor(timeout: .seconds(10)) { $0.events.count == 2 })
        try await AlertWebhookEndToEndTests.postAlerting(gateway, id: "st-4", account: "acc-s1")
        #expect(resumed.waitFor(timeout: .seconds(20)) { $0.events.count == 3 })
        #expect(
            resumed.events.map(\.alertID) == Array(first.dropFirst()).map(\.alertID) + [
                resumed.events.last?.alertID ?? ""
            ]
        )
        #expect(mine.waitFor(timeout: .seconds(20)) { $0.events.count == 4 })
        #expect(resumed.events.last == mine.events.last)

        // The same filters are checked as on GET /alerts.
        let bad = try await HTTPClient.send("GET", "\(gateway.baseURL)/alerts/stream?severity=loud&limit=3")
        #expect(bad.status == 400)
        #expect(bad.text.contains("severity") && bad.text.contains("limit"))
    }

    @Test func streams_areBounded_andAReaderThatDoesNotReadIsDropped() async throws {
        let gateway = try Self.start(["--max-event-streams", "2", "--alert-store-capacity", "20000"])
        defer { gateway.stop() }

        // A raw client that asks for the stream, shrinks its receive buffer, and never reads.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var small: Int32 = 4096
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(gateway.port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        #expect(connected == 0)
        let request = "GET /alerts/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        #expect(request.withCString { send(fd, $0, strlen($0), 0) } == request.utf8.count)

        let reader = try StreamReader("\(gateway.baseURL)/alerts/stream")
        #expect(reader.waitFor(timeout: .seconds(10)) { $0.status == 200 })
        // Two streams open: a third is refused.
        let third = try await HTTPClient.send("GET", "\(gateway.baseURL)/alerts/stream")
        #expect(third.status == 503)

        // About 5 MB of alert events: more than the kernel's socket buffers take (a send buffer
        // grows to 4 MiB here) plus what the server holds for one stream (256 KiB).
        let lines = (0..<12000).map {
            sampleTransaction(id: "fl-\($0)", account: "acc-fl-\($0 % 50)", amount: "\"15000.00\"")
        }
        for chunk in stride(from: 0, to: lines.count, by: 1000) {
            let response = try await HTTPClient.send(
                "POST",
                "\(gateway.baseURL)/transactions",
                body: lines[chunk..<chunk + 1000].joined(separator: "\n"),
                headers: ["Content-Type": "application/x-ndjson"]
            )
            #expect(response.status == 207 || response.status == 202 || response.status == 200)
        }
        _ = try gateway.waitForLine(containing: "stream client reads too slowly; dropping it", timeout: .seconds(60))
        // The reader that keeps up gets every alert.
        #expect(reader.waitFor(timeout: .seconds(60)) { $0.events.count == 12000 })
        // The place of the dropped stream is free again.
        let again = try StreamReader("\(gateway.baseURL)/alerts/stream")
        #expect(again.waitFor(timeout: .seconds(10)) { $0.status == 200 })
    }

    @Test func withAPIKeys_theStreamTakesTheKeyAsAccessTokenQueryParameter() async throws {
        let keys = FileManager.default.temporaryDirectory.appendingPathComponent("stream-keys-\(getpid()).txt")
        try "viewer:7971b7777333849744ceced4fb5fc0972c89f79b9d5f9eecb8e8386b1aad5eae\n".write(
            to: keys,
            atomically: true,
            encoding: .utf8
        )
        defer { try? FileManager.default.removeItem(at: keys) }
        let gateway = try Self.start(["--api-keys-file", keys.path])
        defer { gateway.stop() }
        let refused = try await HTTPClient.send("GET", "\(gateway.baseURL)/alerts/stream")
        #expect(refused.status == 401)
        let wrong = try await HTTPClient.send("GET", "\(gateway.baseURL)/alerts/stream?access_token=nope")
        #expect(wrong.status == 401)
        let reader = try StreamReader("\(gateway.baseURL)/alerts/stream?access_token=stream-test-key-0123456789")
        #expect(reader.waitFor(timeout: .seconds(10)) { $0.status == 200 && $0.text.contains(": heartbeat") })
        // Only the streams take it: a plain route still wants the header.
        let alerts = try await HTTPClient.send(
            "GET",
            "\(gateway.baseURL)/alerts?access_token=stream-test-key-0123456789"
        )
        #expect(alerts.status == 401)
    }
}
