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
        var counts = Counts()
    }

    /// What happened to claims and keys so far, kept under the store's own lock and read by
    /// `/metrics` at scrape time (the store knows no metrics registry).
    package struct Counts: Sendable, Equatable {
        /// Requests answered with the stored answer of their key.
        package var replays = 0
        /// Requests refused with 409: the key's first request was still in flight.
        package var conflicts = 0
        /// Requests refused with 422: the key was used with a different body.
        package var mismatches = 0
        /// Stored answers forgotten early to stay within the count or byte bound.
        package var evictions = 0
        /// Stored answers forgotten after the key's time to live.
        package var expirations = 0
    }

    /// The store at one moment, for `/metrics`.
    package struct Statistics: Sendable, Equatable {
        /// Keys held: answers stored plus requests in flight.
        package var entries: Int
        package var counts: Counts
    }

    /// Fixed cost of a stored answer beyond its key, headers and body bytes: dictionary slot, deque
    /// slot, the response's arrays and strings. `IdempotencyBenchmark` measured 528 resident
    /// bytes per single-transaction answer under a UUID key, about 380 beyond those bytes.
    static let entryOverheadBytes = 400

    let limits: IdempotencyLimits
    private let ttlNanoseconds: UInt64
    private let state = Mutex(State())
    private let clock: @Sendable () -> UInt64

    /// `clock`: monotonic nanoseconds (tests pass their own to expire keys without sleeping).
    package init(
        limits: IdempotencyLimits = IdempotencyLimits(),
        clock: @escaping @Sendable () -> UInt64 = MonotonicClock.now
    ) {
        precondition(limits.capacity > 0 && limits.maxBytes > 0, "idempotency store bounds must be positive")
        self.limits = limits
        let (seconds, attoseconds) = limits.ttl.components
        ttlNanoseconds = UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
        self.clock = clock
    }

    /// Keys remembered now, stored and in flight, after forgetting the expired ones.
    package func countNow() -> Int {
        statistics().entries
    }

    /// Keys remembered now and what happened so far, after forgetting the expired ones (for `/metrics`).
    package func statistics() -> Statistics {
        let now = clock()
        return state.withLock { state in
            forgetExpired(&state, now: now)
            return Statistics(entries: state.entries.count, counts: state.counts)
        }
    }

    package func claim(_ key: IdempotencyKey, _ fingerprint: RequestFingerprint) -> Claim {
        let now = clock()
        return state.withLock { state -> Claim in
            forgetExpired(&state, now: now)
            guard let entry = state.entries[key] else {
                state.entries[key] = Entry(fingerprint: fingerprint, phase: .inFlight)
                return .claimed
            }
            guard entry.fingerprint == fingerprint else {
                state.counts.mismatches += 1
                return .mismatch
            }
            switch entry.phase {
            case .inFlight:
                state.counts.conflicts += 1
                return .inFlight
            case .stored(let response):
                state.counts.replays += 1
                return .replay(response)
            }
        }
    }

    /// Ends a claim with its answer: a 2xx is stored, anything else releases the key.
    package func finish(_ key: IdempotencyKey, with response: HTTPResponse) {
        let now = clock()
        let keep = response.status.kind == .successful
        let bytes = Self.estimatedBytes(key, response)
        state.withLock { state in
            guard case .inFlight? = state.entries[key]?.phase else { return }
            guard keep else {
                state.entries[key] = nil
                return
            }
            state.entries[key]?.phase = .stored(response)
            state.order.append(Stored(key: key, storedAt: now, bytes: bytes))
            state.storedBytes += bytes
            while state.order.count > limits.capacity || state.storedBytes > limits.maxBytes {
                forgetOldest(&state)
                state.counts.evictions += 1
            }
        }
    }

    private func forgetExpired(_ state: inout State, now: UInt64) {
        while let oldest = state.order.first, now &- oldest.storedAt > ttlNanoseconds {
            forgetOldest(&state)
            state.counts.expirations += 1
        }
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
