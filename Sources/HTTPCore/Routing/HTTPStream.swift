/// The body of a response that stays open, written over time from any thread (Server-Sent Events,
/// long polls). Made by `HTTPResponder.startStream(_:)`.
///
/// On the wire the body is chunked (RFC 9112 §7.1) for HTTP/1.1 clients and close-delimited for
/// HTTP/1.0 (§6.3); the connection closes when the stream ends. Each `write` is one chunk, in order.
/// The server bounds what a stream may hold unsent (`HTTPServerConfiguration.maxStreamBacklogBytes`):
/// a client that reads slower than the stream is written is dropped, never buffered without limit.
/// The stream ends when the app calls `close()` or releases it, when the client goes away (a client
/// that shuts down its sending side counts as gone: the stream is all it would get), and when the
/// server shuts down (it ends every stream, so streams never hold a shutdown up).
public final class HTTPStream: Sendable {
    private enum Destination: Sendable {
        case loop(EventLoop, ResponseToken)
        case callback(@Sendable ([UInt8]) -> Void)
    }

    private let destination: Destination
    private let lease: StreamLease

    init(loop: EventLoop, token: ResponseToken, lease: StreamLease) {
        destination = .loop(loop, token)
        self.lease = lease
    }

    /// A stream outside any server: each write goes to `callback` (see `HTTPResponder(requestID:callback:streamed:)`).
    init(callback: @escaping @Sendable ([UInt8]) -> Void) {
        destination = .callback(callback)
        lease = StreamLease(context: nil)
    }

    /// False once the stream ended (client gone, dropped, server stopping, `close()`): stop writing.
    public var isOpen: Bool { lease.isOpen }

    /// Queues `bytes` as the next chunk; returns false (and drops them) once the stream has ended.
    /// An empty write is ignored: a zero-length chunk would end the body (RFC 9112 §7.1).
    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        guard lease.isOpen else { return false }
        guard !bytes.isEmpty else { return true }
        switch destination {
        case .loop(let loop, let token):
            lease.queue(bytes.count)
            loop.deliver(token, .streamData(bytes))
        case .callback(let callback): callback(bytes)
        }
        return true
    }

    /// Ends the body (the last chunk, then the connection closes once it is sent).
    public func close() {
        guard lease.isOpen else { return }
        switch destination {
        case .loop(let loop, let token): loop.deliver(token, .streamEnd)
        case .callback: lease.end()
        }
    }

    /// A stream the app lets go of ends, so a forgotten stream cannot hold a connection and a place.
    deinit {
        close()
    }
}
