import Synchronization

/// A streaming response's place under the server's limit (`HTTPServerConfiguration.maxStreams`),
/// shared by the app's `HTTPStream` and the connection serving it. Whichever side learns first that
/// the stream is over (the connection closed, the head never reached a connection) ends the lease;
/// the place is given back exactly once.
final class StreamLease: Sendable {
    private let ended = Atomic<Bool>(false)
    /// Bytes written to the stream (any thread) that its loop has not yet put in its output: the
    /// connection counts them with its unsent output when it decides whether to read more body.
    private let queued = Atomic<Int>(0)
    private let context: ServerContext?

    /// `context` nil: a stream outside any server (a test responder), which holds no place.
    init(context: ServerContext?) {
        self.context = context
    }

    var isOpen: Bool { !ended.load(ordering: .acquiring) }

    var queuedBytes: Int { queued.load(ordering: .relaxed) }

    func queue(_ count: Int) { queued.add(count, ordering: .relaxed) }

    func applied(_ count: Int) { queued.subtract(count, ordering: .relaxed) }

    func end() {
        guard !ended.exchange(true, ordering: .acquiringAndReleasing) else { return }
        context?.releaseStream()
    }
}
