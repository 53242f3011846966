/// What a socket call made on behalf of `HTTPConnectionState` achieved, as the state needs to know it.
/// Calls interrupted by a signal are repeated by the shell and never reported.
enum IOOutcome: Equatable {
    /// Bytes moved (more than zero). For a send, fewer than offered means the socket is full: the rest
    /// waits for EPOLLOUT.
    case transferred(Int)
    /// recv(2) returned 0: the peer will send nothing more.
    case endOfInput
    /// EAGAIN: nothing to read, or no room to write; a readiness event will follow.
    case wouldBlock
    /// The connection is broken (reset, EPIPE, ...): close it.
    case failed
}
