#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A joinable OS thread for work that blocks inside librdkafka (poll loops, consumer_poll,
/// consumer_close). Such work must never run on Swift's cooperative pool, whose few threads it
/// would starve; and shutdown needs a real join so that `rd_kafka_destroy` runs only after the
/// thread stopped touching the handle.
final class DedicatedThread: Sendable {
    private let thread: Mutex<pthread_t?>

    /// Starts `body` on a new thread. `name` shows in `top -H`/gdb (truncated to 15 bytes, the
    /// kernel's limit).
    init(name: String, body: @escaping @Sendable () -> Void) {
        final class Start {
            let name: String
            let body: @Sendable () -> Void
            init(name: String, body: @escaping @Sendable () -> Void) {
                self.name = name
                self.body = body
            }
        }
        let start = Unmanaged.passRetained(Start(name: name, body: body)).toOpaque()
        var tid = pthread_t()
        let rc = pthread_create(&tid, nil, { raw in
            let start = Unmanaged<Start>.fromOpaque(raw!).takeRetainedValue()
            setCurrentThreadName(start.name)
            start.body()
            return nil
        }, start)
        // Thread creation only fails when the process is out of resources; there is nothing
        // sensible to continue with.
        precondition(rc == 0, "pthread_create failed: \(rc)")
        thread = Mutex(tid)
    }

    /// Waits for the thread to finish. Idempotent; a no-op when called from the thread itself
    /// (e.g. a completion handler closing its own producer), which would otherwise deadlock.
    func join() {
        let tid: pthread_t? = thread.withLock { tid in
            defer { tid = nil }
            return tid
        }
        guard let tid else { return }
        if pthread_equal(tid, pthread_self()) != 0 {
            pthread_detach(tid)
            return
        }
        pthread_join(tid, nil)
    }
}

/// Names the calling thread for `top -H`, gdb and perf. Glibc's `pthread_setname_np` is not
/// exported to Swift (it needs _GNU_SOURCE), so write the kernel's comm file directly; the kernel
/// keeps at most 15 bytes.
private func setCurrentThreadName(_ name: String) {
    #if os(Linux)
    let fd = open("/proc/thread-self/comm", O_WRONLY)
    guard fd >= 0 else { return }
    defer { close(fd) }
    let bytes = Array(name.utf8.prefix(15))
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    #endif
}
