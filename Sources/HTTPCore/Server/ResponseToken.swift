/// Identifies one request on one connection: the fd, the connection's generation (fds are reused),
/// and the request's sequence number on that connection.
struct ResponseToken: Equatable, Sendable {
    let fd: Int32
    let generation: UInt32
    let sequence: UInt32
}
