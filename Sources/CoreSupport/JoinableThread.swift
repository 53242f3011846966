import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A named, joinable OS thread.
///
/// Work that blocks (epoll_wait in the HTTP loops; rd_kafka_poll, consumer_poll and consumer_close
/// in the Kafka bridge) must never run on Swift's cooperative pool, whose few threads it would
/// starve. Shutdown needs a real join, so that a loop's descriptors or a librdkafka handle are
/// destroyed only after their thread stopped touching them; Foundation's `Thread` cannot be joined.
public final class JoinableThread: Sendable {
    private let handle: Mutex<pthread_t?>
    /// Signalled once, when `body` returned: what a bounded join waits on (pthread_timedjoin_np is
    /// a GNU extension Glibc's Swift module does not export).
    private let finished = DispatchSemaphore(value: 0)

    /// Starts `body` on a new thread called `name` (shown by `top -H`, gdb and perf; the kernel keeps
    /// 15 bytes). Throws only when the process is out of threads or memory.
    public init(name: String, body: @escaping @Sendable () -> Void) throws(SystemError) {
        let start = Unmanaged.passRetained(Start(name: name, body: body, finished: finished))
        var thread = pthread_t()
        let result = pthread_create(
            &thread,
            nil,
            { argument in
                let start = Unmanaged<Start>.fromOpaque(argument!).takeRetainedValue()
                setCurrentThreadName(start.name)
                start.body()
                start.finished.signal()
                return nil
            },
            start.toOpaque()
        )
        guard result == 0 else {
            start.release()
            throw SystemError("pthread_create", code: result)
        }
        handle = Mutex(thread)
    }

    /// Waits for the thread to finish. Idempotent. Called from the thread itself (a completion
    /// handler closing its own producer), it detaches the thread instead of deadlocking.
    public func join() {
        let thread: pthread_t? = handle.withLock { handle in
            defer { handle = nil }
            return handle
        }
        guard let thread else { return }
        if pthread_equal(thread, pthread_self()) != 0 {
            pthread_detach(thread)
        } else {
            pthread_join(thread, nil)
        }
    }

    /// Waits at most `timeout` for the thread to finish and joins it; returns whether it finished.
    /// Past the bound the thread is detached and abandoned: it goes on running (a blocking call that
    /// never returns keeps it parked until the process exits) and frees itself if it ever ends. For
    /// shutdown paths that must end whatever a dependency does; what the thread still references
    /// must stay alive without the caller (capture it in `body`).
    public func join(timeout: Duration) -> Bool {
        guard finished.wait(timeout: .now() + .nanoseconds(Int(clamping: timeout.clampedNanoseconds))) == .success
        else {
            detach()
            return false
        }
        finished.signal()  // for a later bounded join
        join()
        return true
    }

    private func detach() {
        let thread: pthread_t? = handle.withLock { handle in
            defer { handle = nil }
            return handle
        }
        if let thread { pthread_detach(thread) }
    }

    private final class Start {
        let name: String
        let body: @Sendable () -> Void
        let finished: DispatchSemaphore

        init(name: String, body: @escaping @Sendable () -> Void, finished: DispatchSemaphore) {
            self.name = name
            self.body = body
            self.finished = finished
        }
    }
}

/// Glibc's `pthread_setname_np` is not exported to Swift (it needs _GNU_SOURCE), so write the
/// kernel's comm file for the calling thread directly; the kernel keeps at most 15 bytes.
private func setCurrentThreadName(_ name: String) {
    #if os(Linux)
    let fd = open("/proc/thread-self/comm", O_WRONLY)
    guard fd >= 0 else { return }
    defer { close(fd) }
    let bytes = Array(name.utf8.prefix(15))
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    #endif
}
