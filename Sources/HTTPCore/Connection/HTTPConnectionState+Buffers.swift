/// The connection's read and write buffers, and the I/O outcomes the shell reports into them.
///
/// The loop lends buffers: a read buffer while unparsed bytes are held, its one output buffer while a
/// connection has unsent output. So thousands of idle keep-alive connections cost no buffer memory,
/// and answering a request allocates nothing. Without a lender (in tests) the state allocates its own.
extension HTTPConnectionState {
    var pendingOutputCount: Int { output.count - outputStart }

    // MARK: - Reading

    var needsReadBuffer: Bool { input.isEmpty }

    mutating func adoptReadBuffer(_ buffer: [UInt8]) {
        guard input.isEmpty else { return }
        input = buffer
        inputStart = 0
        inputEnd = 0
    }

    /// The read buffer, once it holds nothing that will still be parsed.
    mutating func takeIdleReadBuffer() -> [UInt8]? {
        guard !input.isEmpty,
            inputStart == inputEnd || !willParse
        else { return nil }
        defer {
            input = []
            inputStart = 0
            inputEnd = 0
        }
        return input
    }

    /// Lets `read` fill the free space after the unparsed bytes (`.read`), no more than the connection
    /// reserved from the request budget (`reserveReadBudget`).
    mutating func receive(_ read: (UnsafeMutableRawBufferPointer) -> IOOutcome) {
        prepareInputSpace()
        let space = min(input.count - inputEnd, readAllowance)
        assert(space > 0, "`.read` only follows a granted reservation")  // recv of 0 bytes would read as EOF
        let outcome = input.withUnsafeMutableBytes {
            read(UnsafeMutableRawBufferPointer(rebasing: $0[inputEnd..<(inputEnd + space)]))
        }
        switch outcome {
        case .transferred(let count):
            inputEnd += count
            // Edge-triggered: a short read emptied the socket, and new data will raise a new event.
            // After EPOLLRDHUP keep reading until recv reports the EOF itself.
            if count < space, !socket.peerShutdown { socket.readable = false }
        case .endOfInput:
            socket.inputClosed = true
            socket.readable = false
        case .wouldBlock:
            socket.readable = false
        case .failed:
            closeNow()
        }
        if case .transferred(let count) = outcome { filled(count) } else { filled(0) }
    }

    /// Makes room after `inputEnd`: reuse the buffer from the start, compact, or (when one incomplete
    /// line fills it) grow it. The parser's limits bound the growth.
    private mutating func prepareInputSpace() {
        if input.isEmpty {
            input = [UInt8](repeating: 0, count: Self.readBufferSize)
        }
        if inputStart == inputEnd {
            inputStart = 0
            inputEnd = 0
        }
        guard input.count - inputEnd < 2048 else { return }
        if inputStart > 0 {
            let unread = inputEnd - inputStart
            input.withUnsafeMutableBytes { raw in
                raw.baseAddress!.copyMemory(from: raw.baseAddress! + inputStart, byteCount: unread)
            }
            inputStart = 0
            inputEnd = unread
        }
        if input.count - inputEnd < 2048 {
            input.append(contentsOf: repeatElement(0, count: input.count))
        }
    }

    /// What a read during the lingering close or a stream did (`.discard`).
    mutating func discarded(_ outcome: IOOutcome) {
        switch outcome {
        case .transferred(let count):
            let total: Int
            switch lifecycle {
            case .lingering(let discarded):
                total = discarded + count
                lifecycle = .lingering(discarded: total)
            case .streaming(var stream):
                stream.discarded += count
                total = stream.discarded
                lifecycle = .streaming(stream)
            default:
                total = 0
            }
            if total > Self.maxLingerBytes { closeNow() }  // give up on politeness
        case .wouldBlock:
            socket.readable = false
        case .endOfInput, .failed:
            closeNow()
        }
    }

    /// Whether bytes in the read buffer may still be parsed: not once the connection is closing or
    /// streaming.
    private var willParse: Bool {
        switch lifecycle {
        case .reading, .awaitingResponse: return true
        case .streaming: return streamedBody != nil
        case .closingAfterWrite, .lingering, .closingNow, .closed: return false
        }
    }

    // MARK: - Writing

    /// Takes the loop's output buffer for a pass, unless this connection still holds unsent output.
    mutating func borrowOutputBuffer(from buffer: inout [UInt8]) {
        guard output.isEmpty else { return }
        swap(&output, &buffer)
    }

    /// Gives the output buffer back once everything in it was sent.
    mutating func returnOutputBuffer(to buffer: inout [UInt8]) {
        guard output.isEmpty, buffer.isEmpty else { return }
        swap(&output, &buffer)
    }

    /// Lets `write` send the pending output (`.write`).
    mutating func send(_ write: (UnsafeRawBufferPointer) -> IOOutcome) {
        let outcome = output.withUnsafeBytes { write(UnsafeRawBufferPointer(rebasing: $0[outputStart...])) }
        switch outcome {
        case .transferred(let count):
            outputStart += count
            if outputStart == output.count {
                output.removeAll(keepingCapacity: true)
                outputStart = 0
            } else {
                socket.writeBlocked = true
            }
        case .wouldBlock:
            socket.writeBlocked = true
        case .endOfInput, .failed:
            closeNow()
        }
    }

    /// Drops what was already sent before more is appended, so that the buffer does not grow by it.
    mutating func prepareOutput() {
        guard outputStart > 0 else { return }
        output.removeFirst(outputStart)
        outputStart = 0
    }
}
