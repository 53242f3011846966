extension HTTPConnectionState {
    /// Where a connection is in its life. Exactly one of these holds at a time, and what the connection
    /// may do next (`nextAction`) follows from it: parse only while `.reading`, discard input only while
    /// `.streaming` or `.lingering`, close once `.closingAfterWrite` has written everything.
    ///
    ///     reading ──request──▶ awaitingResponse ──response──▶ reading (keep-alive)
    ///        │                        │      └──close──────▶ closingAfterWrite ──sent──▶ lingering ──EOF──▶ closed
    ///        │                        └──stream head──▶ streaming ──end──▶ closingAfterWrite
    ///        └──bad request / EOF / refusal──▶ closingAfterWrite
    ///     any ──reset, failed I/O, silent timeout, dropped stream──▶ closingNow ──▶ closed
    enum Lifecycle {
        /// Reading and parsing the next request, or waiting for one; no request is in a handler's hands.
        case reading
        /// A request is in the handler's hands; nothing more is parsed until it is answered (RFC 9112
        /// §9.3.2 allows parallel handling only for safe methods), which also bounds what a client can
        /// make the server hold.
        case awaitingResponse(InFlight)
        /// A streaming response is open; input is read only to notice the client leaving.
        case streaming(OpenStream)
        /// The last response is written or being written; once it is sent, the lingering close begins.
        case closingAfterWrite
        /// Output shut down; input is read and thrown away until the client closes (RFC 9112 §9.6).
        case lingering(discarded: Int)
        /// Close at the next step without sending more: reset, failed I/O, a timeout that ends the
        /// connection without an answer, a dropped stream.
        case closingNow
        case closed

        /// Which state, without its associated value: what `nextAction` switches on, so that the
        /// request in flight is not copied (and released again) on every step.
        enum Kind {
            case reading, awaitingResponse, streaming, closingAfterWrite, lingering, closingNow, closed
        }

        var kind: Kind {
            switch self {
            case .reading: .reading
            case .awaitingResponse: .awaitingResponse
            case .streaming: .streaming
            case .closingAfterWrite: .closingAfterWrite
            case .lingering: .lingering
            case .closingNow: .closingNow
            case .closed: .closed
            }
        }
    }

    /// The request being handled, reduced to what writing and observing its response need.
    struct InFlight {
        let sequence: UInt32
        let isHead: Bool
        let keepAlive: Bool
        let isHTTP10: Bool
        let started: UInt64
        /// Monotonic ns after which `tick` answers the request with 504; nil without a response timeout.
        /// Separate from the phase's deadline because a handler may still be working while earlier
        /// responses wait for the client to read them.
        let responseDeadline: UInt64?
        /// Kept only when there is an observer to hand it to.
        let request: HTTPRequest?
        /// Kept only when a response timeout may need to log it.
        let requestID: String?
    }

    /// A request body read while its request is handled (`HTTPRequestBody`): beside the lifecycle, in
    /// `awaitingResponse` or `streaming` only, and kept out of their associated values so that the
    /// hot path's checks do not copy the request in flight.
    struct StreamedBody {
        /// The request the body belongs to.
        let sequence: UInt32
        /// The handler asked to stop reading (flow control).
        var paused = false
    }

    /// A streaming response: the request it answers (later writes must name it) and how its body is
    /// delimited.
    struct OpenStream {
        let sequence: UInt32
        let framing: ResponseSerializer.StreamFraming
        /// The stream answers its request's body as it is read (streaming ingest): a client slow to
        /// read is held back by not reading its body, not dropped at the first backlog.
        let answersBody: Bool
        /// Input read and thrown away while streaming (bounded like a lingering close's).
        var discarded = 0
    }

    /// What the socket last reported, as edge-triggered epoll tells it.
    struct SocketReadiness {
        /// The socket may hold unread bytes.
        var readable = false
        /// The socket did not take all output; EPOLLOUT will report room.
        var writeBlocked = false
        /// EPOLLRDHUP: the client shut down its sending side; read until EOF.
        var peerShutdown = false
        /// recv(2) reported EOF.
        var inputClosed = false
    }
}
