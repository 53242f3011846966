import CMalloc
import Dispatch
import Synchronization

/// Keeps glibc's allocator from holding on to memory the process no longer uses.
///
/// glibc gives each thread that allocates an arena of its own (up to eight per core) and returns
/// freed pages to the kernel only from the top of the main heap. A gateway has dozens of threads
/// (event loops, librdkafka's, the monitor's consumers) and the monitor churns through account
/// states and changelog rows, so freed memory piles up in the arenas (bench/RESULTS.md has the
/// `malloc_stats` figures at a million accounts). Most of that churn is large transient buffers (a
/// flush's rows, librdkafka's batches), which glibc serves from the arenas once its dynamic mmap
/// threshold has grown. So the process fixes the threshold (large blocks are mapped and unmapped,
/// never left in an arena), caps its arenas at start, and trims every few seconds.
public final class HeapTrimmer: Sendable {
    private let wake = DispatchSemaphore(value: 0)
    private let stopping = Atomic(false)
    private let thread = Mutex<JoinableThread?>(nil)

    public init() {}

    /// Caps the allocator's arenas at `arenas` and maps every block of `mmapThreshold` bytes or
    /// more on its own: call before the process starts its threads (later threads share the arenas
    /// that exist).
    public static func configureAllocator(arenas: Int32, mmapThreshold: Int32) {
        _ = mallopt(M_ARENA_MAX, arenas)
        _ = mallopt(M_MMAP_THRESHOLD, mmapThreshold)
    }

    /// Trims every `period` on a thread of its own until `stop()`.
    public func start(every period: Duration) throws(SystemError) {
        let started = try JoinableThread(name: "heap-trim") { [self] in
            while !stopping.load(ordering: .relaxed) {
                if wake.wait(timeout: .now() + .nanoseconds(Int(clamping: period.clampedNanoseconds))) == .success {
                    break
                }
                _ = malloc_trim(0)
            }
        }
        thread.withLock { $0 = started }
    }

    public func stop() {
        stopping.store(true, ordering: .relaxed)
        wake.signal()
        thread.withLock { thread in
            thread?.join()
            thread = nil
        }
    }
}
