import Synchronization

/// What a request body read while its request is handled brings (`HTTPRequestBody.consume`).
public enum HTTPRequestBodyEvent: Sendable {
    /// The next bytes of the body, de-chunked, in order.
    case data([UInt8])
    /// The body ended as its framing says (the last chunk and trailers).
    case end
    /// The body will not be completed: the client went away, broke the framing, or the connection
    /// closed (the response ended, a slow reader was cut off, the server stopped).
    case failed
}

/// The body of a request that is handed to its handler before the body has arrived, to be read as it
/// comes (`HTTPServerConfiguration.streamsRequestBody`): a long chunked upload answered as it goes,
/// together with a streaming response (`HTTPResponder.startStream`).
///
/// Events come on the connection's event-loop thread and must not block. Flow control: `pause()` stops
/// reading the request (the client is then held back by TCP) until `resume()`; both may be called
/// from any thread. Reading also stops by itself while the client does not read the response.
public final class HTTPRequestBody: Sendable {
    private enum Destination: Sendable {
        case loop(EventLoop, ResponseToken)
        case none
    }

    private let destination: Destination
    private let consumer = Mutex<(@Sendable (HTTPRequestBodyEvent) -> Void)?>(nil)
    private let finished = Atomic<Bool>(false)

    init(loop: EventLoop, token: ResponseToken) {
        destination = .loop(loop, token)
    }

    /// A body outside any server, fed by `deliver` (tests that drive a handler in process).
    public init() {
        destination = .none
    }

    /// Where the body's events go. Set it during the handler's call: bytes that arrive before it is
    /// set are dropped.
    public func consume(_ handler: @escaping @Sendable (HTTPRequestBodyEvent) -> Void) {
        consumer.withLock { $0 = handler }
    }

    /// Stops reading the request until `resume()`.
    public func pause() { setReading(false) }

    /// Reads the request again after `pause()`.
    public func resume() { setReading(true) }

    private func setReading(_ reading: Bool) {
        guard case .loop(let loop, let token) = destination, !finished.load(ordering: .acquiring) else { return }
        if !reading, loop.isLoopThread {
            loop.pauseBody(token)  // at once: no further piece is read in this pass
        } else {
            loop.deliver(token, .bodyReading(reading))
        }
    }

    /// Hands `event` to the consumer; after `.end` or `.failed` nothing more is delivered.
    public func deliver(_ event: HTTPRequestBodyEvent) {
        switch event {
        case .data: guard !finished.load(ordering: .acquiring) else { return }
        case .end, .failed: guard !finished.exchange(true, ordering: .acquiringAndReleasing) else { return }
        }
        let handler: (@Sendable (HTTPRequestBodyEvent) -> Void)? = consumer.withLock { consumer in
            defer { if case .data = event {} else { consumer = nil } }  // no cycle outlives the body
            return consumer
        }
        handler?(event)
    }
}
