import Foundation
import Synchronization
import Testing

@testable import HTTPCore

#if canImport(Glibc)
import Glibc
#endif

/// Answers queued by other threads (Kafka delivery reports) are served at the end of the loop pass
/// in which they arrive, not when the eventfd's turn comes: epoll hands out at most 256 ready
/// descriptors a pass, in the order they became ready, so under a flood the eventfd waits behind
/// every connection that became ready before it.
@Suite("EventLoop inbox", .serialized)
struct EventLoopInboxTests {
    static let floodConnections = 700

    /// One loop; 700 connections send a request while the loop is busy, so all 700 are ready at once.
    /// The first of them answers a request held since before from another thread, so the eventfd
    /// becomes ready behind the 444 that epoll has not handed out yet. That answer must go out within
    /// the pass it arrived in (at most 256 of the flood before it), not after all 700.
    @Test func anAnswerFromAnotherThread_isServedInThePassItArrives_notBehindTheReadyConnections() throws {
        try raiseDescriptorLimit(to: 2 * Self.floodConnections + 200)
        let heldSlow = Mutex<HTTPResponder?>(nil)
        let blocking = DispatchSemaphore(value: 0)
        let unblock = DispatchSemaphore(value: 0)
        let answeredSlow = Atomic<Bool>(false)
        let order = Recorder<String>()
        let handler: HTTPHandler = { request, responder in
            switch request.path {
            case "/slow":
                heldSlow.withLock { $0 = responder }
            case "/block":
                blocking.signal()
                _ = unblock.wait(timeout: .now() + 10)  // the loop is busy while the flood arrives
                responder.respond(.text(200, "unblocked"))
            case "/flood":
                if !answeredSlow.exchange(true, ordering: .relaxed), let slow = heldSlow.withLock({ $0 }) {
                    answerFromAnotherThread(slow)
                }
                responder.respond(.text(200, "flood"))
            default:
                responder.respond(.text(200, "warm"))
            }
        }
        try withServer(
            configure: { $0.eventLoopCount = 1 },
            observer: { request, _, _ in order.append(request?.path ?? "-") },
            handler: handler
        ) { _, port in
            let flood = try (0..<Self.floodConnections).map { _ in try RawClient(port: port) }
            for client in flood {  // accepted and registered before the loop is blocked
                client.send("GET /warm HTTP/1.1\r\nHost: t\r\n\r\n")
                _ = try client.readResponse()
            }
            let slow = try RawClient(port: port)
            slow.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(waitUntil { heldSlow.withLock { $0 != nil } })
            let blocker = try RawClient(port: port)
            blocker.send("GET /block HTTP/1.1\r\nHost: t\r\n\r\n")
            try #require(blocking.wait(timeout: .now() + 5) == .success)
            for client in flood {
                client.send("GET /flood HTTP/1.1\r\nHost: t\r\n\r\n")
            }
            unblock.signal()

            #expect(try slow.readResponse().bodyText == "slow")
            for client in flood {
                #expect(try client.readResponse().bodyText == "flood")
            }
            let paths = order.wait(for: 2 * Self.floodConnections + 2)
            let afterBlock = paths.drop { $0 != "/block" }
            let floodBeforeSlow = afterBlock.prefix { $0 != "/slow" }.filter { $0 == "/flood" }.count
            #expect(afterBlock.contains("/slow"))
            #expect(floodBeforeSlow <= 256, "\(floodBeforeSlow) flood requests were answered before the queued answer")
        }
    }
}

/// Responds from a new thread and returns once the answer is queued: the loop thread is the caller.
private func answerFromAnotherThread(_ responder: HTTPResponder) {
    let queued = DispatchSemaphore(value: 0)
    Thread.detachNewThread {
        responder.respond(.text(200, "slow"))
        queued.signal()
    }
    _ = queued.wait(timeout: .now() + 5)
}

/// Raises the soft limit on open descriptors (the test holds both ends of every connection); fails
/// when the hard limit does not allow it.
func raiseDescriptorLimit(to wanted: Int) throws {
    var limit = rlimit()
    try #require(getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0)
    guard limit.rlim_cur < rlim_t(wanted) else { return }
    try #require(
        limit.rlim_max >= rlim_t(wanted),
        "the hard limit on open files (\(limit.rlim_max)) is below \(wanted)"
    )
    limit.rlim_cur = rlim_t(wanted)
    try #require(setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0)
}
