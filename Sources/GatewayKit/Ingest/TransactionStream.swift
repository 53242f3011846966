import Foundation
import HTTPCore
import Synchronization

/// `POST /transactions` in streaming mode: an NDJSON request body read as it arrives, answered by an
/// NDJSON response with one result line per transaction, in request order, each written as soon as
/// it and every line before it have their result (the streaming mode of Confluent REST Proxy v3's
/// produce). A result line has the shape of a batch result item: the accepted JSON, or the problem of
/// that one line (a bad line does not end the stream).
///
/// Bounded: once `maxUnanswered` lines wait for their result, the request is no longer read
/// (`HTTPRequestBody.pause`) until half of them are answered; TCP then holds the client back. A client
/// that stops reading the response is cut off by the server (its send timeout, or the stream backlog
/// bound). Lines are handled on the event loop, the complete lines of each piece of body together
/// (so that they can be produced as one batch); results come from delivery-report threads.
final class TransactionStream: Sendable {
    /// The longest line read; a longer one is answered with its own problem line and skipped.
    static let maxLineBytes = 64 * 1024

    private struct State {
        /// The start of a line whose newline has not arrived yet.
        var partialLine: [UInt8] = []
        /// Skipping the rest of a line that grew past `maxLineBytes`.
        var skippingLine = false
        /// Results of lines `written...`, nil while unknown; `first` is the index of `results[0]`.
        var results: [[UInt8]?] = []
        var first = 0
        var written = 0
        var lines = 0
        var paused = false
        var bodyEnded = false
        var closed = false
    }

    private let state = Mutex(State())
    private let stream: HTTPStream
    private let body: HTTPRequestBody
    private let maxUnanswered: Int
    /// Handles complete, non-blank lines with their indices: reports each result (any thread)
    /// through `complete`.
    private let handleLines: @Sendable (_ lines: [NumberedLine], _ stream: TransactionStream) -> Void

    /// A complete line of the body and its index among the stream's lines.
    struct NumberedLine {
        var bytes: ArraySlice<UInt8>
        var index: Int
    }

    init(
        stream: HTTPStream,
        body: HTTPRequestBody,
        maxUnanswered: Int,
        handleLines: @escaping @Sendable ([NumberedLine], TransactionStream) -> Void
    ) {
        self.stream = stream
        self.body = body
        self.maxUnanswered = max(1, maxUnanswered)
        self.handleLines = handleLines
    }

    /// The request body's events (on the event loop).
    func receive(_ event: HTTPRequestBodyEvent) {
        switch event {
        case .data(let bytes): read(bytes)
        case .end: endOfBody()
        case .failed: abandon()
        }
    }

    private func read(_ bytes: [UInt8]) {
        var start = 0
        var lines: [NumberedLine] = []
        while let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
            let joined: ArraySlice<UInt8>? = state.withLock { state in
                defer {
                    state.partialLine.removeAll(keepingCapacity: true)
                    state.skippingLine = false
                }
                if state.skippingLine { return nil }
                if state.partialLine.isEmpty { return bytes[start..<newline] }
                state.partialLine += bytes[start..<newline]
                return state.partialLine[...]
            }
            if let joined, let numbered = numbered(joined) { lines.append(numbered) }
            start = newline + 1
        }
        if !lines.isEmpty { handleLines(lines, self) }
        keepPartial(bytes[start...])
        pauseIfTooManyUnanswered()
    }

    private func keepPartial(_ rest: ArraySlice<UInt8>) {
        guard !rest.isEmpty else { return }
        let tooLong: Bool = state.withLock { state in
            guard !state.skippingLine else { return false }
            state.partialLine += rest
            guard state.partialLine.count > Self.maxLineBytes else { return false }
            state.partialLine = []
            state.skippingLine = true
            return true
        }
        if tooLong {
            let problem = GatewayProblems.malformedJSON("The line is longer than \(Self.maxLineBytes) bytes.")
            complete(number(), json: problem.jsonBytes())
        }
    }

    /// The line with its index, or nil for a blank line (it has no result).
    private func numbered(_ bytes: ArraySlice<UInt8>) -> NumberedLine? {
        guard !bytes.allSatisfy(TransactionsRoute.isJSONWhitespace) else { return nil }
        return NumberedLine(bytes: bytes, index: number())
    }

    /// The next line's index, with a slot for its result.
    private func number() -> Int {
        state.withLock { state in
            state.results.append(nil)
            defer { state.lines += 1 }
            return state.lines
        }
    }

    private func pauseIfTooManyUnanswered() {
        let pause: Bool = state.withLock { state in
            guard !state.paused, state.lines - state.written >= maxUnanswered else { return false }
            state.paused = true
            return true
        }
        if pause { body.pause() }
    }

    private func endOfBody() {
        let rest: ArraySlice<UInt8>? = state.withLock { state in
            defer { state.partialLine = [] }
            return state.skippingLine || state.partialLine.isEmpty ? nil : state.partialLine[...]
        }
        if let rest, let numbered = numbered(rest) { handleLines([numbered], self) }
        state.withLock { state in
            state.bodyEnded = true
            closeIfDone(&state)
        }
    }

    /// The request broke off: results still coming have no reader left.
    private func abandon() {
        state.withLock { state in
            state.closed = true
            stream.close()
        }
    }

    /// The result of line `index` (any thread).
    func complete(_ index: Int, json: [UInt8]) {
        complete([(index, json)])
    }

    /// Results of several lines (any thread). Every finished prefix is written at once, in one write,
    /// under the lock, so that writes from different threads reach the stream in line order.
    func complete(_ results: [(index: Int, json: [UInt8])]) {
        let resume: Bool = state.withLock { state in
            guard !state.closed else { return false }
            for (index, json) in results { state.results[index - state.first] = json }
            var out: [UInt8] = []
            while state.written - state.first < state.results.count,
                let result = state.results[state.written - state.first]
            {
                out += result
                out.append(UInt8(ascii: "\n"))
                state.written += 1
            }
            if !out.isEmpty { stream.write(out) }
            compact(&state)
            closeIfDone(&state)
            guard state.paused, !state.bodyEnded, state.lines - state.written <= maxUnanswered / 2 else { return false }
            state.paused = false
            return true
        }
        if resume { body.resume() }
    }

    private func compact(_ state: inout State) {
        let done = state.written - state.first
        guard done > 1024, done * 2 > state.results.count else { return }
        state.results.removeFirst(done)
        state.first = state.written
    }

    private func closeIfDone(_ state: inout State) {
        guard state.bodyEnded, !state.closed, state.written == state.lines else { return }
        state.closed = true
        stream.close()
    }
}
