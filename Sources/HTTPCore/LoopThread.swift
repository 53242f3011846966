import CEpoll

#if canImport(Glibc)
import Glibc
#endif

/// A plain POSIX thread. Event loops block in epoll_wait, which must never happen on Swift's
/// cooperative pool, and they need to be joined on shutdown, which Foundation's Thread cannot do.
struct LoopThread: Sendable {
    private let handle: pthread_t

    private final class Start {
        let name: String
        let body: @Sendable () -> Void

        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }

    static func spawn(name: String, _ body: @escaping @Sendable () -> Void) throws -> LoopThread {
        let start = Unmanaged.passRetained(Start(name: name, body: body))
        var handle = pthread_t()
        let result = pthread_create(&handle, nil, { argument in
            let start = Unmanaged<Start>.fromOpaque(argument!).takeRetainedValue()
            // Linux limits thread names to 15 bytes.
            _ = cepoll_set_thread_name(String(start.name.prefix(15)))
            start.body()
            return nil
        }, start.toOpaque())
        guard result == 0 else {
            start.release()
            throw HTTPServerError.systemCall("pthread_create", errno: result)
        }
        return LoopThread(handle: handle)
    }

    func join() {
        _ = pthread_join(handle, nil)
    }
}
