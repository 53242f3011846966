import Foundation
import TestSupport

/// A real HTTP receiver of alert webhooks on loopback (Tests/Fixtures/webhook_receiver.py): it
/// verifies each Standard Webhooks signature and prints what arrived, which the test reads back.
/// Started and stopped by its own PID.
final class WebhookReceiver: @unchecked Sendable {
    struct Request: Sendable {
        var path: String
        var webhookID: String
        var signatureValid: Bool
        var traceparent: String?
        var status: Int
        var receivedAt: Double
        /// The alert (`data` of the payload).
        var alert: [String: String]
        var transactionIDs: [String]
    }

    static let secret = "whsec_" + Data((0..<24).map { UInt8($0 * 7 + 3) }).base64EncodedString()
    private static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/webhook_receiver.py")

    private let child: ChildProcess
    let port: Int
    var url: String { "http://127.0.0.1:\(port)" }

    /// `port` 0 picks a free one; `arguments` are the script's (`--script`, `--always`, ...).
    init(port: Int = 0, _ arguments: [String] = []) throws {
        child = try ChildProcess(
            URL(fileURLWithPath: "/usr/bin/python3"),
            [Self.script.path, "--port", String(port), "--secret", Self.secret] + arguments
        )
        var found: Int?
        child.wait(timeout: .seconds(10)) { child in
            found = child.output.firstMatch(of: /LISTENING (\d+)/).flatMap { Int($0.1) }
            return found != nil || !child.isRunning
        }
        guard let found else { throw TestFailure("webhook receiver did not start: \(child.output)") }
        self.port = found
    }

    deinit { stop() }

    func stop() {
        _ = child.stop(grace: .seconds(2))
    }

    /// Everything the receiver printed (one `REQUEST {json}` line per request).
    var output: String { child.output }

    var requests: [Request] {
        child.output.split(separator: "\n").compactMap { line -> Request? in
            guard line.hasPrefix("REQUEST "),
                let object = try? JSONSerialization.jsonObject(with: Data(line.dropFirst(8).utf8)) as? [String: Any],
                let body = object["body"] as? [String: Any], let data = body["data"] as? [String: Any]
            else { return nil }
            return Request(
                path: object["path"] as? String ?? "",
                webhookID: object["webhook_id"] as? String ?? "",
                signatureValid: object["signature_valid"] as? Bool ?? false,
                traceparent: object["traceparent"] as? String,
                status: object["status"] as? Int ?? 0,
                receivedAt: object["received_at"] as? Double ?? 0,
                alert: data.compactMapValues { $0 as? String },
                transactionIDs: data["transaction_ids"] as? [String] ?? []
            )
        }
    }

    /// Waits (bounded) until `condition` holds for the requests so far; returns them either way.
    @discardableResult
    func waitFor(timeout: Duration, _ condition: ([Request]) -> Bool) -> [Request] {
        var latest: [Request] = []
        child.wait(timeout: timeout) { _ in
            latest = requests
            return condition(latest)
        }
        return requests
    }
}
