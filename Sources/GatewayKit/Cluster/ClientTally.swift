import Foundation
import HTTPCore
import Synchronization

/// Who is posting transactions: answers to `POST /transactions` counted per client name (the
/// `X-Client-Name` header, which txgen sends with `--client-name`), for the cluster view's
/// producers. Bounded: at most `maxClients` names are told apart, later ones count as "other".
final class ClientTally: Sendable {
    static let header = "X-Client-Name"
    static let unnamed = "unnamed"
    static let maxClients = 32

    struct Client: Encodable, Sendable, Equatable {
        var name: String
        var requests: Int
        var accepted: Int
        var requestsPerSecond: Double
        var acceptedPerSecond: Double

        enum CodingKeys: String, CodingKey {
            case name, requests, accepted
            case requestsPerSecond = "requests_per_second"
            case acceptedPerSecond = "accepted_per_second"
        }
    }

    private struct Counts {
        var requests = 0
        var accepted = 0
    }

    private struct State {
        var counts: [String: Counts] = [:]
        /// The totals at the previous rate sample, and when it was taken.
        var previous: [String: Counts] = [:]
        var previousAt: ContinuousClock.Instant = .now
        var rates: [String: (Double, Double)] = [:]
    }

    private let state = Mutex(State())

    /// One answer to `POST /transactions` (the HTTP observer, on a loop thread).
    func record(_ request: HTTPRequest?, status: HTTPResponse.Status) {
        let raw = request?.headers[Self.header] ?? Self.unnamed
        let accepted = status.kind == .successful ? 1 : 0
        // On the request path: a name already counted (the usual case) costs one lookup, no copy.
        let counted = state.withLock { state -> Bool in
            guard state.counts[raw] != nil else { return false }
            state.counts[raw]!.requests += 1
            state.counts[raw]!.accepted += accepted
            return true
        }
        guard !counted else { return }
        let name = Self.name(raw)
        state.withLock { state in
            let key = state.counts[name] != nil || state.counts.count < Self.maxClients ? name : "other"
            state.counts[key, default: Counts()].requests += 1
            state.counts[key, default: Counts()].accepted += accepted
        }
    }

    /// Every client seen since start with its totals and its rates over the last sample (taken at
    /// most once per `minimumInterval`, so that several readers do not shorten each other's window).
    func clients(minimumInterval: Duration = .milliseconds(900)) -> [Client] {
        let now = ContinuousClock.now
        return state.withLock { state in
            let elapsed = now - state.previousAt
            if elapsed >= minimumInterval {
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                state.rates = state.counts.mapValues { _ in (0, 0) }
                for (name, counts) in state.counts {
                    let before = state.previous[name] ?? Counts()
                    state.rates[name] = (
                        Double(counts.requests - before.requests) / seconds,
                        Double(counts.accepted - before.accepted) / seconds
                    )
                }
                state.previous = state.counts
                state.previousAt = now
            }
            return state.counts.map { name, counts in
                let rates = state.rates[name] ?? (0, 0)
                return Client(
                    name: name,
                    requests: counts.requests,
                    accepted: counts.accepted,
                    requestsPerSecond: rates.0,
                    acceptedPerSecond: rates.1
                )
            }.sorted { $0.name < $1.name }
        }
    }

    /// The header's value trimmed to 64 printable ASCII characters; "unnamed" without one.
    static func name(_ value: String?) -> String {
        guard let value else { return unnamed }
        let printable = value.unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7F }
        let trimmed = String(String.UnicodeScalarView(printable.prefix(64))).trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? unnamed : trimmed
    }
}
