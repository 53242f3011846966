import Synchronization

/// The server-wide budget for request bytes held in memory: read from sockets and not yet answered
/// (unparsed input, bodies being received, bodies of requests a handler is still working on).
///
/// Without it, memory grows with connections times body size: 2,000 connections each sending a
/// 190 kB batch held about 300 MiB of partly received bodies (bench/flood.sh). A connection reserves
/// bytes before it reads them; when the budget has no room it stops reading, so the bytes stay in the
/// kernel and TCP flow control slows the client down, and the loop resumes it when bytes are released.
///
/// Two kinds of reservation keep a full budget from deadlocking. A request whose body length is known
/// reserves all of its remaining body at once (all or nothing), so once it has its reservation it never
/// needs more to finish. Everything else (heads, chunked bodies, pipelined bytes) reserves a few KiB at a
/// time and only while `headroom` stays free, so that those partial requests can
/// never take the room a whole body needs: whatever they hold, the largest body still fits once the
/// bodies ahead of it are answered.
///
/// Lock-free (one atomic counter), shared by every loop of a server.
final class RequestBufferBudget: Sendable {
    let limit: Int
    /// Kept free of partial reservations (`reservePartial`): the largest body.
    let headroom: Int
    private let reserved = Atomic<Int>(0)
    private let highWater = Atomic<Int>(0)
    /// Counts releases, so a loop with starved connections retries only when something was freed.
    private let releases = Atomic<Int>(0)

    /// `limit` is raised to twice `largestBody` when smaller: a body that could never be reserved
    /// whole would wait for budget until its read timeout every time.
    init(limit: Int, largestBody: Int) {
        self.limit = max(limit, 2 * max(largestBody, 1))
        headroom = max(largestBody, 1)
    }

    /// All-or-nothing for a body of known length: may use the whole limit.
    func reserveWhole(_ bytes: Int) -> Bool {
        reserve(bytes, ceiling: limit)
    }

    /// For a head, a chunked body or pipelined bytes: leaves `headroom` free.
    func reservePartial(_ bytes: Int) -> Bool {
        reserve(bytes, ceiling: limit - headroom)
    }

    func release(_ bytes: Int) {
        guard bytes > 0 else { return }
        reserved.wrappingSubtract(bytes, ordering: .relaxed)
        releases.wrappingAdd(1, ordering: .releasing)
    }

    /// Bytes reserved now, across the server's connections.
    var inUse: Int { reserved.load(ordering: .relaxed) }

    /// The most ever reserved at once: never above `limit`.
    var peak: Int { highWater.load(ordering: .relaxed) }

    var releaseCount: Int { releases.load(ordering: .acquiring) }

    private func reserve(_ bytes: Int, ceiling: Int) -> Bool {
        guard bytes > 0 else { return true }
        var current = reserved.load(ordering: .relaxed)
        while true {
            guard current + bytes <= ceiling else { return false }
            let (exchanged, original) = reserved.compareExchange(
                expected: current,
                desired: current + bytes,
                ordering: .relaxed
            )
            if exchanged { break }
            current = original
        }
        let now = current + bytes
        var seen = highWater.load(ordering: .relaxed)
        while now > seen {
            let (exchanged, original) = highWater.compareExchange(expected: seen, desired: now, ordering: .relaxed)
            if exchanged { break }
            seen = original
        }
        return true
    }
}
