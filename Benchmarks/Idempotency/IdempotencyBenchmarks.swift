import Benchmark
import GatewayKit
import HTTPCore

/// The `Idempotency-Key` store on the request path: what a request with a key costs the event
/// loop (parse the key, fingerprint the body, claim), what its acknowledgement costs the delivery
/// thread (finish: store and evict), and a retry's replay; with a full store, where every new answer
/// forgets the oldest. Machines and moments differ, so only ratios from one run mean much.
///
///     swift package -c release benchmark --target IdempotencyBenchmark
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput],
        timeUnits: .nanoseconds,
        scalingFactor: .kilo,
        maxDuration: .seconds(2)
    )

    Benchmark("fingerprint (230-byte body)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(RequestFingerprint(body: body, mediaType: "application/json")) }
    }
    Benchmark("fingerprint (100-transaction batch, 23 KB)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(RequestFingerprint(body: batch, mediaType: "application/x-ndjson"))
        }
    }
    Benchmark("parse key (quoted UUID)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? IdempotencyKey.parse([#""8e03978e-40d5-43e8-bc93-6894a57f9324""#]))
        }
    }

    // A new key each call, claimed then finished with a 202, as a first request goes.
    Benchmark("claim + finish, new keys (store below its bounds)") { benchmark in
        let store = IdempotencyStore(limits: .defaults)
        let keys = Keys(count: benchmark.scaledIterations.count)
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations { firstRequest(store, keys[index]) }
    }
    Benchmark("claim + finish, new keys (full store: each evicts the oldest)") { benchmark in
        var limits = IdempotencyLimits.defaults
        limits.capacity = 10_000
        let store = IdempotencyStore(limits: limits)
        let warm = Keys(count: limits.capacity, prefix: "warm")
        for index in 0..<limits.capacity { firstRequest(store, warm[index]) }
        let keys = Keys(count: benchmark.scaledIterations.count)
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations { firstRequest(store, keys[index]) }
        guard store.countNow() == limits.capacity else {
            fatalError("the store passed its capacity: \(store.countNow())")
        }
    }
    // The retry: the same key and body, answered from memory.
    Benchmark("claim, stored key (replay)") { benchmark in
        let store = IdempotencyStore(limits: .defaults)
        let keys = Keys(count: 1)
        firstRequest(store, keys[0])
        guard case .replay = store.claim(keys[0], fingerprint) else { fatalError("no replay for a stored key") }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(store.claim(keys[0], fingerprint)) }
    }
}

/// The README's example transaction, and a batch of a hundred of them.
let body = Array(
    #"{"id":"tx-0001","account_id":"acc-42","amount":"129.90","currency":"BRL","merchant_id":"m-881","merchant_category":"5411","country":"BR","channel":"card_present","timestamp":"2026-11-25T16:20:00Z"}"#
        .utf8
)
let batch = Array(repeating: body + [0x0A], count: 100).flatMap { $0 }
let fingerprint = RequestFingerprint(body: body, mediaType: "application/json")
/// The answer a single transaction gets, about 100 bytes.
let accepted = HTTPResponse.json(
    202,
    Array(#"{"id":"tx-0001","status":"accepted","topic":"transactions","partition":3,"offset":123456}"#.utf8)
)

func firstRequest(_ store: IdempotencyStore, _ key: IdempotencyKey) {
    guard case .claimed = store.claim(key, fingerprint) else { fatalError("a new key was not claimed") }
    store.finish(key, with: accepted)
}

/// Distinct UUID-shaped keys, parsed before the measurement.
struct Keys {
    private let keys: [IdempotencyKey]

    init(count: Int, prefix: String = "8e03978e") {
        keys = (0..<count).map { index in
            let hex = String(index, radix: 16)
            let tail = String(repeating: "0", count: max(0, 12 - hex.count)) + hex
            return try! IdempotencyKey.parse(["\(prefix)-40d5-43e8-bc93-\(tail)"])
        }
    }

    subscript(index: Int) -> IdempotencyKey { keys[index] }
}
