import CoreSupport
import DequeModule
import HTTPCore
import Synchronization

/// The answers given under each `Idempotency-Key`, so that a retry is answered from memory instead
/// of producing again (draft-ietf-httpapi-idempotency-key-header-06).
///
/// A key is first *claimed* (in flight: its request is being processed), then either *stored* with
/// its final answer (a 2xx: the record was acknowledged, queued, or the batch answered) or
/// *released* (anything else: a 5xx means nothing final happened and the client must be able to
/// retry with the same key; a 4xx is what the same body gets again anyway).
///
/// Bounded three ways, oldest stored answer forgotten first: time (`ttl` after it was stored),
/// count (`capacity` stored answers) and bytes (`maxBytes`, an estimate of what the stored answers
/// hold: a batch's answer can be a hundred kilobytes where a single one is a hundred bytes). Claims
/// in flight are not evicted: each ends within the delivery timeout (librdkafka reports every record
/// once), and evicting one would let a retry produce a second record.
///
/// One `Mutex`, taken once per request that carries the header; no Task, no actor: it runs on the
/// event-loop thread (claims) and the delivery-report threads (outcomes).
package final class IdempotencyStore: Sendable {
    /// What a request carrying a key gets.
    package enum Claim: Sendable {
        /// The key is new: process the request, then `finish` the key with the answer.
        case claimed
        /// The same request was answered before: send this again, produce nothing.
        case replay(HTTPResponse)
        /// The same request is still being processed (409).
        case inFlight
        /// The key was used with a different body (422).
        case mismatch
    }

    private enum Phase {
        case inFlight
        case stored(HTTPResponse)
    }

    private struct Entry {
        var fingerprint: RequestFingerprint
        var phase: Phase
    }

    /// A stored answer in eviction order.
    private struct Stored {
        var key: IdempotencyKey
        var storedAt: UInt64
        var bytes: Int
    }

    private struct State {
        var entries: [IdempotencyKey: Entry] = [:]
        var order: Deque<Stored> = []
        var storedBytes = 0
    }

    /// Fixed cost of a stored answer beyond its key, headers and body bytes: dictionary slot, deque
    /// slot, the response's arrays and strings. `IdempotencyBenchmark` measured 528 resident
    /// bytes per single-transaction answer under a UUID key, about 380 beyond those bytes.
    static let entryOverheadBytes = 400

    let limits: IdempotencyLimits
    private let ttlNanoseconds: UInt64
    private let state = Mutex(State())
    private let clock: @Sendable () -> UInt64
    private let metrics: GatewayMetrics?

    /// `clock`: monotonic nanoseconds (tests pass their own to expire keys without sleeping).
    init(
        limits: IdempotencyLimits = IdempotencyLimits(),
        metrics: GatewayMetrics? = nil,
        clock: @escaping @Sendable () -> UInt64 = MonotonicClock.now
    ) {
        precondition(limits.capacity > 0 && limits.maxBytes > 0, "idempotency store bounds must be positive")
        self.limits = limits
        let (seconds, attoseconds) = limits.ttl.components
        ttlNanoseconds = UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
        self.metrics = metrics
        self.clock = clock
    }

    /// A store that reports to no metrics registry (benchmarks, which see only `package` API).
    package static func unmetered(limits: IdempotencyLimits) -> IdempotencyStore {
        IdempotencyStore(limits: limits)
    }

    /// Keys remembered now, stored and in flight, after forgetting the expired ones (for `/metrics`).
    package func countNow() -> Int {
        let now = clock()
        let (expired, count) = state.withLock { state in (forgetExpired(&state, now: now), state.entries.count) }
        metrics?.recordIdempotencyExpirations(expired)
        return count
    }

    package func claim(_ key: IdempotencyKey, _ fingerprint: RequestFingerprint) -> Claim {
        let now = clock()
        let (claim, expired) = state.withLock { state -> (Claim, Int) in
            let expired = forgetExpired(&state, now: now)
            guard let entry = state.entries[key] else {
                state.entries[key] = Entry(fingerprint: fingerprint, phase: .inFlight)
                return (.claimed, expired)
            }
            guard entry.fingerprint == fingerprint else { return (.mismatch, expired) }
            switch entry.phase {
            case .inFlight: return (.inFlight, expired)
            case .stored(let response): return (.replay(response), expired)
            }
        }
        metrics?.recordIdempotency(claim)
        metrics?.recordIdempotencyExpirations(expired)
        return claim
    }

    /// Ends a claim with its answer: a 2xx is stored, anything else releases the key.
    package func finish(_ key: IdempotencyKey, with response: HTTPResponse) {
        let now = clock()
        let keep = (200..<300).contains(response.status)
        let bytes = Self.estimatedBytes(key, response)
        let evicted = state.withLock { state -> Int in
            guard case .inFlight? = state.entries[key]?.phase else { return 0 }
            guard keep else {
                state.entries[key] = nil
                return 0
            }
            state.entries[key]?.phase = .stored(response)
            state.order.append(Stored(key: key, storedAt: now, bytes: bytes))
            state.storedBytes += bytes
            var evicted = 0
            while state.order.count > limits.capacity || state.storedBytes > limits.maxBytes {
                forgetOldest(&state)
                evicted += 1
            }
            return evicted
        }
        metrics?.recordIdempotencyEvictions(evicted)
    }

    private func forgetExpired(_ state: inout State, now: UInt64) -> Int {
        var expired = 0
        while let oldest = state.order.first, now &- oldest.storedAt > ttlNanoseconds {
            forgetOldest(&state)
            expired += 1
        }
        return expired
    }

    private func forgetOldest(_ state: inout State) {
        let oldest = state.order.removeFirst()
        state.entries[oldest.key] = nil
        state.storedBytes -= oldest.bytes
    }

    static func estimatedBytes(_ key: IdempotencyKey, _ response: HTTPResponse) -> Int {
        entryOverheadBytes + key.value.utf8.count + response.body.count
            + response.headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count }
    }
}
