import Foundation

/// Listen address, threading, limits and timeouts. Defaults suit a public-facing gateway.
public struct HTTPServerConfiguration: Sendable {
    public var host = "0.0.0.0"
    /// 0 asks the kernel for an ephemeral port; `HTTPServer.start()` returns the one it got.
    public var port = 8080
    /// Event-loop threads, each with its own epoll set and SO_REUSEPORT listener.
    public var eventLoopCount = ProcessInfo.processInfo.activeProcessorCount
    /// Longest request line; a longer target is answered with 414 (RFC 9112 §3), a longer method with 400.
    public var maxRequestLineBytes = 8192
    /// Total size of the header field lines (and, separately, of the chunked trailer section): 431.
    public var maxHeaderBytes = 16 * 1024
    /// Header field lines per request: 431.
    public var maxHeaderCount = 100
    /// Request body size after de-chunking: 413.
    public var maxBodyBytes = 1 << 20
    /// From the first byte of a request (or from accept, for the first one) to the end of its header
    /// section. 408 then close for a started request; a connection that never sent a byte is closed
    /// silently, since an unsolicited 408 could be mistaken for the answer to a request sent meanwhile.
    public var headerReadTimeout: Duration = .seconds(10)
    /// A keep-alive connection with no request in progress is closed silently after this long. It is
    /// also the send timeout: a client that stops reading its response is dropped after it.
    public var idleTimeout: Duration = .seconds(60)
    /// From the end of the header section to the end of the body; a total, not a per-read timeout, so
    /// a client dribbling one byte at a time cannot hold a connection for ever. 408 then close.
    public var bodyReadTimeout: Duration = .seconds(30)
    /// The longest a handler may take to answer a request, from the moment the complete request was
    /// handed to it; nil (the default) sets no limit. When it passes, the server answers
    /// `504 Gateway Timeout` (RFC 9110 §15.6.5) as `application/problem+json` in the handler's place and
    /// carries on with the connection: it stays open (unless the request asked to close it), and
    /// pipelined requests behind this one are answered in order. The handler's later answer is dropped.
    /// The observer sees the 504. Deadlines are checked by the loops' periodic sweep, so the 504 goes out
    /// up to one sweep interval (an eighth of the shortest timeout, within 5–250 ms) after the deadline.
    public var responseTimeout: Duration? = nil
    /// Connections beyond this, across all loops, get a 503 and are closed.
    public var maxConnections = 10_000
    /// Responses that stay open (`HTTPResponder.startStream`), across all loops; more get a 503.
    public var maxStreams = 100
    /// Output a streaming response may hold unsent (the client reads slower than the stream is
    /// written); a write beyond it drops the client. Bounds the memory a slow reader costs. A stream
    /// that answers a streamed request body is held back instead (its body is not read while output
    /// waits) and may hold four times this before it is dropped.
    public var maxStreamBacklogBytes = 256 * 1024
    /// After a response that closes the connection the server stops sending and keeps reading (and
    /// discarding) for up to this long, so that unread request bytes do not make the kernel reset the
    /// connection before the client has read the response (RFC 9112 §9.6).
    public var lingerTimeout: Duration = .seconds(2)
    /// Request bytes held in memory across all connections: read and not yet answered (unparsed input,
    /// bodies being received, bodies whose handler has not answered). A connection that cannot reserve
    /// room stops being read (TCP back-pressure) and is resumed when room frees; one still waiting when
    /// its read timeout passes gets 503 with `Retry-After` (see `RequestBufferBudget`). 64 MiB: a small
    /// share of any machine this runs on, yet room for 63 of the largest (1 MiB) bodies or about 340
    /// NDJSON batches of 1,000 transactions (190 kB) being read at once, and for some 150,000 single
    /// POSTs (about 450 bytes each) awaiting their answer. Raised to twice `maxBodyBytes` if lower.
    public var maxBufferedRequestBytes = 64 << 20
    /// Asked once the head of a chunked request is read: true hands the request to its handler at
    /// once, with its body to be read as it arrives (`HTTPRequest.bodyStream`), so that a long upload
    /// can be answered as it goes (with `HTTPResponder.startStream`). No total body limit applies to a
    /// streamed body (each chunk stays within `maxBodyBytes`); the response closes the connection.
    /// nil (the default): every body is read whole before the handler sees the request.
    public var streamsRequestBody: (@Sendable (HTTPRequest) -> Bool)? = nil
    /// listen(2) backlog per event loop.
    public var listenBacklog = 1024

    public init() {}
}
