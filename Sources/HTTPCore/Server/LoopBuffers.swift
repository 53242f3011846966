/// The buffers a loop lends its connections (see `HTTPConnectionState+Buffers`): read buffers only
/// while a connection holds unparsed bytes, one output buffer to the connection being served, and a
/// sink for bytes thrown away. So thousands of idle keep-alive connections cost no buffer memory.
///
/// Owned by one loop and used only on its thread. A class, held by a `let`, so that a connection
/// reaches a buffer with one access to it rather than an exclusive access to the whole set.
final class LoopBuffers {
    private static let pooledReadBuffers = 128

    /// The output buffer lent to the connection being served.
    var scratch: [UInt8] = []
    /// Sink for bytes read during a lingering close or beside a stream.
    var discard = [UInt8](repeating: 0, count: 4096)
    private var readBuffers: [[UInt8]] = []

    func borrowReadBuffer() -> [UInt8] {
        readBuffers.popLast() ?? [UInt8](repeating: 0, count: HTTPConnectionState.readBufferSize)
    }

    /// Keeps a returned buffer for the next connection, unless it grew or the pool is full.
    func returnReadBuffer(_ buffer: [UInt8]) {
        if buffer.count == HTTPConnectionState.readBufferSize, readBuffers.count < Self.pooledReadBuffers {
            readBuffers.append(buffer)
        }
    }

    /// A response far larger than usual made the output buffer grow: let it go rather than hold it.
    func releaseScratchIfLarge() {
        if scratch.capacity > 4 * HTTPConnectionState.outputHighWater {
            scratch = []
        }
    }

    func removeAll() {
        readBuffers = []
        scratch = []
    }
}
