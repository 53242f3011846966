#if canImport(Glibc)
import Glibc
#endif

/// An incremental HTTP/1.1 request parser (RFC 9112) over bytes, with no I/O.
///
/// Contract: `parse` consumes a prefix of its input and returns how much; the caller must present the
/// unconsumed bytes again, followed by any new ones, on the next call. Lines are therefore never
/// copied into a side buffer, and the parser remembers how far it already searched an incomplete line
/// for LF so that a line arriving byte by byte costs O(n), not O(n²).
///
/// Body bytes are copied exactly once, from the input into the request's body array (reserved to the
/// Content-Length when the whole body is in the input, else to the bytes that are, and to the whole
/// Content-Length by `reserveBodyCapacity` once the connection has budget for it, which re-copies
/// those first bytes; for chunked bodies the array grows geometrically as chunk sizes announce more
/// data, the other place an amortised re-copy can happen).
///
/// Line endings: RFC 9112 §2.2 lets a recipient accept a bare LF as a line terminator. This parser
/// rejects it with 400 instead, because request smuggling attacks rely on two parties disagreeing
/// about where a line ends, and a gateway in front of Kafka has no legacy clients to be lenient for.
struct HTTPParser {
    struct Limits: Sendable {
        var maxRequestLineBytes: Int
        var maxHeaderBytes: Int
        var maxHeaderCount: Int
        var maxBodyBytes: Int
        /// Asked once a chunked request's head is read: true hands the head to the handler at once
        /// and its body as it arrives (`.streamedRequest`, `.bodyPart`, `.bodyEnd`); nil for never.
        var streamsBody: (@Sendable (HTTPRequest) -> Bool)? = nil

        /// The longest registered method is 17 characters; 32 leaves room for extensions.
        static let maxMethodBytes = 32
        /// A chunk-size line is a few hex digits plus extensions we ignore; bound what we buffer.
        static let maxChunkLineBytes = 1024
    }

    enum Event {
        /// Everything presented was consumed or is an incomplete line; present more bytes.
        case needMoreData
        /// The head asked for `Expect: 100-continue` and no body byte has arrived yet (RFC 9110 §10.1.1).
        case continueExpected
        case request(HTTPRequest)
        /// The head of a request whose chunked body follows as `.bodyPart`s and one `.bodyEnd`
        /// (`Limits.streamsBody`); `continueExpected` as for `.continueExpected`.
        case streamedRequest(HTTPRequest, continueExpected: Bool)
        /// The next de-chunked bytes of a streamed body.
        case bodyPart([UInt8])
        /// A streamed body ended (last chunk and trailers read); the next request may follow.
        case bodyEnd
        /// The parser is finished with this connection; the same failure is returned from then on.
        case failure(HTTPParseError)
    }

    /// Which timeout applies while waiting for more bytes.
    enum Stage {
        case idle
        case head
        case body
    }

    private enum State {
        case requestLine
        case headerLines
        case fixedBody
        case chunkSize
        case chunkData
        case chunkDataEnd
        case trailers
        case failed(HTTPParseError)
    }

    /// What the header fields said about framing and connection handling, gathered while parsing the
    /// fields so that nothing has to be looked up again afterwards.
    private struct HeadFacts {
        var method: HTTPRequest.Method?
        var target = ""
        var path = ""
        var query: String?
        var version = HTTPVersion.http1_1
        var isHTTP11 = true
        var fields: [HTTPHeaders.Element] = []
        var contentLength: Int?
        var transferEncodingSeen = false
        var transferCodingCount = 0
        var chunkedCount = 0
        var chunkedIsLast = false
        var hostCount = 0
        var connectionClose = false
        var connectionKeepAlive = false
        var expectContinue = false
        var expectOther = false
        var requestID: String?
    }

    private enum Line {
        case complete(UnsafeRawBufferPointer, next: Int)
        case incomplete(length: Int)
        case bareLineFeed(length: Int)

        /// Bytes of the line before its LF (CR included), or all bytes seen so far.
        var length: Int {
            switch self {
            case .complete(let content, _): content.count + 1
            case .incomplete(let length), .bareLineFeed(let length): length
            }
        }
    }

    let limits: Limits
    let remoteAddress: String
    private var idGenerator: RequestIDGenerator
    private var state = State.requestLine
    /// Bytes of the current, incomplete line already searched for LF.
    private var scanned = 0
    /// Empty lines skipped before a request line (RFC 9112 §2.2 robustness).
    private var leadingEmptyBytes = 0
    private var headerBytes = 0
    private var facts = HeadFacts()
    private var body: [UInt8] = []
    /// Body or chunk bytes still expected.
    private var remaining = 0
    /// The body of the current request goes out in parts instead of into `body`.
    private var streamingBody = false

    init(limits: Limits, remoteAddress: String, idGenerator: RequestIDGenerator = RequestIDGenerator()) {
        self.limits = limits
        self.remoteAddress = remoteAddress
        self.idGenerator = idGenerator
    }

    var stage: Stage {
        switch state {
        case .requestLine: scanned > 0 || leadingEmptyBytes > 0 ? .head : .idle
        case .headerLines, .failed: .head
        case .fixedBody, .chunkSize, .chunkData, .chunkDataEnd, .trailers: .body
        }
    }

    /// Bytes a body of known length (Content-Length) still expects; nil outside such a body. The
    /// connection reserves them from the server's request budget before it reads them.
    var remainingFixedBodyBytes: Int? {
        if case .fixedBody = state { remaining } else { nil }
    }

    /// Reserves the rest of a body of known length in one allocation: the connection calls it once
    /// the server's request budget has room for that body.
    mutating func reserveBodyCapacity() {
        guard case .fixedBody = state else { return }
        body.reserveCapacity(body.count + remaining)
    }

    /// Consumes a prefix of `input` and reports the first event it produced.
    mutating func parse(_ input: UnsafeRawBufferPointer) -> (consumed: Int, event: Event) {
        var offset = 0
        while true {
            switch state {
            case .failed(let error):
                return (offset, .failure(error))
            case .fixedBody:
                offset += copyBody(input, from: offset)
                guard remaining == 0 else { return (offset, .needMoreData) }
                return (offset, .request(finishRequest()))
            case .chunkData where streamingBody:
                let count = min(remaining, input.count - offset)
                guard count > 0 else { return (offset, .needMoreData) }
                let part = [UInt8](UnsafeRawBufferPointer(rebasing: input[offset..<(offset + count)]))
                remaining -= count
                if remaining == 0 { state = .chunkDataEnd }
                return (offset + count, .bodyPart(part))
            case .chunkData:
                offset += copyBody(input, from: offset)
                guard remaining == 0 else { return (offset, .needMoreData) }
                state = .chunkDataEnd
            case .chunkDataEnd:
                // Exactly CRLF follows chunk data (RFC 9112 §7.1); judged byte by byte so that the
                // verdict does not depend on how the bytes were split.
                let available = input.count - offset
                if available >= 1, input[offset] != ASCII.cr { return (offset, fail(.invalidChunk)) }
                if available >= 2, input[offset + 1] != ASCII.lf { return (offset, fail(.invalidChunk)) }
                guard available >= 2 else { return (offset, .needMoreData) }
                offset += 2
                state = .chunkSize
            case .requestLine, .headerLines, .chunkSize, .trailers:
                let line = nextLine(input, from: offset)
                // Limits first, on the bytes before any LF, exactly as when the line arrives in pieces.
                if let error = lineLimitError(input, from: offset, length: line.length) {
                    return (offset, fail(error))
                }
                switch line {
                case .incomplete:
                    return (offset, .needMoreData)
                case .bareLineFeed:
                    return (offset, fail(.bareLineFeed))
                case .complete(let content, let next):
                    offset = next
                    if let event = handleLine(content, bytesAfter: input.count - next) {
                        return (offset, event)
                    }
                }
            }
        }
    }

    // MARK: - Lines

    private mutating func nextLine(_ input: UnsafeRawBufferPointer, from offset: Int) -> Line {
        let searchStart = offset + scanned
        if searchStart < input.count, let base = input.baseAddress,
            let found = memchr(base + searchStart, Int32(ASCII.lf), input.count - searchStart)
        {
            let lf = base.distance(to: UnsafeRawPointer(found))
            scanned = 0
            // RFC 9112 §2.2: lines end with CRLF; see the type's comment for why bare LF is refused.
            guard lf > offset, input[lf - 1] == ASCII.cr else { return .bareLineFeed(length: lf - offset) }
            return .complete(UnsafeRawBufferPointer(rebasing: input[offset..<(lf - 1)]), next: lf + 1)
        }
        scanned = input.count - offset
        return .incomplete(length: scanned)
    }

    /// Enforces the line limits on the first `length` bytes of a line (all of it before the LF), so an
    /// endless line fails before it ends.
    private func lineLimitError(_ input: UnsafeRawBufferPointer, from offset: Int, length: Int) -> HTTPParseError? {
        switch state {
        case .requestLine:
            guard length > limits.maxRequestLineBytes + 1 else { return nil }
            return Self.requestLineTooLong(UnsafeRawBufferPointer(rebasing: input[offset..<(offset + length)]))
        case .headerLines, .trailers:
            return headerBytes + length > limits.maxHeaderBytes ? .headersTooLarge : nil
        case .chunkSize:
            return length > Limits.maxChunkLineBytes ? .invalidChunk : nil
        case .fixedBody, .chunkData, .chunkDataEnd, .failed:
            return nil
        }
    }

    /// A long method is a malformed request (400); a long target is what RFC 9112 §3 answers with 414.
    private static func requestLineTooLong(_ partial: UnsafeRawBufferPointer) -> HTTPParseError {
        let probe = partial.prefix(Limits.maxMethodBytes + 1)
        return probe.contains(ASCII.space) ? .requestLineTooLong : .invalidMethod
    }

    private mutating func handleLine(_ line: UnsafeRawBufferPointer, bytesAfter: Int) -> Event? {
        switch state {
        case .requestLine: return handleRequestLine(line)
        case .headerLines: return line.isEmpty ? finishHead(bytesAfter: bytesAfter) : handleField(line)
        case .chunkSize: return handleChunkSize(line)
        case .trailers where line.isEmpty: return streamingBody ? finishStreamedBody() : .request(finishRequest())
        case .trailers: return handleTrailer(line)
        case .fixedBody, .chunkData, .chunkDataEnd, .failed: return nil
        }
    }

    private mutating func fail(_ error: HTTPParseError) -> Event {
        state = .failed(error)
        return .failure(error)
    }

    // MARK: - Request line (RFC 9112 §3)

    private mutating func handleRequestLine(_ line: UnsafeRawBufferPointer) -> Event? {
        if line.isEmpty {
            // §2.2: a server SHOULD ignore at least one empty line before the request-line.
            leadingEmptyBytes += 2
            return leadingEmptyBytes > limits.maxRequestLineBytes ? fail(.invalidRequestLine) : nil
        }
        if line.count > limits.maxRequestLineBytes {
            return fail(Self.requestLineTooLong(line))
        }
        if let error = parseRequestLine(line) {
            return fail(error)
        }
        leadingEmptyBytes = 0
        state = .headerLines
        return nil
    }

    /// request-line = method SP request-target SP HTTP-version, with exactly one SP each (§3).
    private mutating func parseRequestLine(_ line: UnsafeRawBufferPointer) -> HTTPParseError? {
        guard let firstSpace = line.firstIndex(of: ASCII.space), firstSpace > 0 else { return .invalidRequestLine }
        let method = UnsafeRawBufferPointer(rebasing: line[0..<firstSpace])
        guard method.count <= Limits.maxMethodBytes, method.allSatisfy(ASCII.isToken),
            let parsedMethod = HTTPRequest.Method.parse(method)
        else { return .invalidMethod }
        guard let secondSpace = line[(firstSpace + 1)...].firstIndex(of: ASCII.space),
            secondSpace > firstSpace + 1
        else { return .invalidRequestLine }
        let target = UnsafeRawBufferPointer(rebasing: line[(firstSpace + 1)..<secondSpace])
        // The version is checked before the target so that an HTTP/2 preface (`PRI * HTTP/2.0`) gets 505.
        switch Self.parseVersion(UnsafeRawBufferPointer(rebasing: line[(secondSpace + 1)...])) {
        case .failure(let error): return error
        case .success(let version):
            facts.version = version
            facts.isHTTP11 = version.minor >= 1
        }
        // Visible ASCII only: no whitespace, controls, DEL or raw non-ASCII (RFC 3986 characters).
        guard target.allSatisfy({ $0 > 0x20 && $0 < 0x7F }),
            let parts = RequestTarget.parse(target, method: method)
        else { return .invalidTarget }
        facts.method = parsedMethod
        facts.target = ASCII.string(target)
        if parts.path == 0..<target.count {
            facts.path = facts.target  // the common case shares one string
        } else {
            (facts.path, facts.query) = RequestTarget.strings(target, parts)
        }
        facts.fields.reserveCapacity(12)
        return nil
    }

    /// HTTP-version = "HTTP/" DIGIT "." DIGIT (§2.3). Major versions other than 1 get 505; a higher
    /// 1.x minor is treated as 1.1 (RFC 9110 §6.2).
    private static func parseVersion(_ bytes: UnsafeRawBufferPointer) -> Result<HTTPVersion, HTTPParseError> {
        let prefix: StaticString = "HTTP/"
        guard bytes.count >= 6,
            prefix.withUTF8Buffer({ bytes.starts(with: $0) }),
            let major = digit(bytes[5])
        else { return .failure(.invalidVersion) }
        guard major == 1 else { return .failure(.unsupportedVersion) }
        guard bytes.count == 8, bytes[6] == UInt8(ascii: "."), let minor = digit(bytes[7]) else {
            return .failure(.invalidVersion)
        }
        return .success(HTTPVersion(major: major, minor: minor))
    }

    private static func digit(_ byte: UInt8) -> Int? {
        byte &- UInt8(ascii: "0") < 10 ? Int(byte &- UInt8(ascii: "0")) : nil
    }

    // MARK: - Header fields (RFC 9112 §5)

    private mutating func handleField(_ line: UnsafeRawBufferPointer) -> Event? {
        headerBytes += line.count + 2
        guard headerBytes <= limits.maxHeaderBytes else { return fail(.headersTooLarge) }
        guard facts.fields.count < limits.maxHeaderCount else { return fail(.tooManyHeaders) }
        // §5.2: obs-fold (and whitespace before the first field, §2.2) is rejected with 400.
        guard !ASCII.isWhitespace(line[0]) else { return fail(.obsoleteLineFolding) }
        guard let colon = line.firstIndex(of: ASCII.colon), colon > 0 else { return fail(.invalidHeaderName) }
        let name = UnsafeRawBufferPointer(rebasing: line[0..<colon])
        // §5.1: no whitespace is allowed between the field name and the colon; 400.
        guard !ASCII.isWhitespace(name[colon - 1]) else { return fail(.whitespaceBeforeColon) }
        guard name.allSatisfy(ASCII.isToken) else { return fail(.invalidHeaderName) }
        let rawValue = UnsafeRawBufferPointer(rebasing: line[(colon + 1)...])
        // RFC 9110 §5.5: CR, LF and NUL are dangerous in values; we reject every control but HTAB.
        guard rawValue.allSatisfy(ASCII.isFieldValueByte) else { return fail(.invalidHeaderValue) }
        let value = ASCII.trimmed(rawValue)
        // RFC 9110 §5.5 asks to treat obs-text as opaque, but values reach handlers as Strings, and
        // decoding would replace invalid bytes: "a\xFF" and "a\xFE" (two idempotency keys, say)
        // would read the same. So a value must be UTF-8 (ASCII is).
        guard let valueString = ASCII.utf8String(value) else { return fail(.headerValueNotUTF8) }
        if let error = recordSemantics(name: name, value: value, valueString: valueString) {
            return fail(error)
        }
        facts.fields.append((name: ASCII.string(name), value: valueString))
        return nil
    }

    /// Notes what the fields that steer framing and connection handling say. The name's length picks
    /// the candidate, so most fields cost one integer comparison here.
    private mutating func recordSemantics(
        name: UnsafeRawBufferPointer,
        value: UnsafeRawBufferPointer,
        valueString: String
    ) -> HTTPParseError? {
        switch name.count {
        case 4 where ASCII.equalsLowercase(name, "host"):
            facts.hostCount += 1
        case 6 where ASCII.equalsLowercase(name, "expect"):
            if ASCII.equalsLowercase(value, "100-continue") {
                facts.expectContinue = true
            } else {
                facts.expectOther = true
            }
        case 10 where ASCII.equalsLowercase(name, "connection"):
            recordConnection(value)
        case 12 where ASCII.equalsLowercase(name, "x-request-id"):
            if facts.requestID == nil, RequestIDGenerator.isAcceptable(value) {
                facts.requestID = valueString
            }
        case 14 where ASCII.equalsLowercase(name, "content-length"):
            return recordContentLength(value)
        case 17 where ASCII.equalsLowercase(name, "transfer-encoding"):
            recordTransferEncoding(value)
        default:
            break
        }
        return nil
    }

    /// Connection options (RFC 9110 §7.6.1): a comma-separated list, case-insensitive.
    private mutating func recordConnection(_ value: UnsafeRawBufferPointer) {
        _ = ASCII.forEachListElement(value) { option in
            if ASCII.equalsLowercase(option, "close") {
                facts.connectionClose = true
            } else if ASCII.equalsLowercase(option, "keep-alive") {
                facts.connectionKeepAlive = true
            }
            return true
        }
    }

    /// RFC 9112 §6.3 item 5 / RFC 9110 §8.6: a list of identical values may stand for one; differing
    /// or non-decimal values make the framing unknowable, hence 400.
    private mutating func recordContentLength(_ value: UnsafeRawBufferPointer) -> HTTPParseError? {
        var sawValue = false
        let valid = ASCII.forEachListElement(value) { element in
            guard let length = Self.decimal(element) else { return false }
            if let existing = facts.contentLength, existing != length { return false }
            facts.contentLength = length
            sawValue = true
            return true
        }
        return valid && sawValue ? nil : .invalidContentLength
    }

    /// 1*DIGIT. More than 18 digits saturates to `Int.max`, which the body limit then answers with 413.
    private static func decimal(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard !bytes.isEmpty else { return nil }
        var result = 0
        for byte in bytes {
            guard let value = digit(byte) else { return nil }
            result = result > 99_999_999_999_999_999 ? Int.max : result * 10 + value
        }
        return result
    }

    /// Transfer codings in order, possibly over several field lines (RFC 9112 §6.1).
    private mutating func recordTransferEncoding(_ value: UnsafeRawBufferPointer) {
        facts.transferEncodingSeen = true
        _ = ASCII.forEachListElement(value) { element in
            let end = element.firstIndex(of: UInt8(ascii: ";")) ?? element.count
            let coding = ASCII.trimmed(UnsafeRawBufferPointer(rebasing: element[0..<end]))
            facts.transferCodingCount += 1
            if ASCII.equalsLowercase(coding, "chunked") {
                facts.chunkedCount += 1
                facts.chunkedIsLast = true
            } else {
                facts.chunkedIsLast = false
            }
            return true
        }
    }

    // MARK: - End of head: framing (RFC 9112 §6)

    private mutating func finishHead(bytesAfter: Int) -> Event? {
        if let error = headError() {
            return fail(error)
        }
        let expectContinue = facts.expectContinue && facts.isHTTP11 && bytesAfter == 0
        if facts.transferEncodingSeen {
            state = .chunkSize
            if let streamsBody = limits.streamsBody, let head = partialRequest(), streamsBody(head) {
                streamingBody = true
                return .streamedRequest(head, continueExpected: expectContinue)
            }
            return expectContinue ? .continueExpected : nil
        }
        guard let length = facts.contentLength, length > 0 else {
            return .request(finishRequest())
        }
        guard length <= limits.maxBodyBytes else { return fail(.bodyTooLarge) }
        // Not the whole length yet when only part of the body is here: a connection that waits for
        // request budget must not hold memory it has no budget for (`reserveBodyCapacity`).
        body.reserveCapacity(Swift.min(length, bytesAfter))
        remaining = length
        state = .fixedBody
        return expectContinue ? .continueExpected : nil
    }

    private func headError() -> HTTPParseError? {
        // §3.2: 400 for an HTTP/1.1 request without Host, and for any request with more than one.
        if facts.hostCount > 1 { return .multipleHost }
        if facts.isHTTP11 && facts.hostCount == 0 { return .missingHost }
        if facts.transferEncodingSeen {
            // §6.1: a request with both is a smuggling vector; we reject rather than guess.
            if facts.contentLength != nil { return .contentLengthWithTransferEncoding }
            if !facts.isHTTP11 { return .transferEncodingInHTTP10 }
            // §6.3: chunked must be the final coding, and §6.1 forbids applying it twice.
            if facts.transferCodingCount == 0 || !facts.chunkedIsLast || facts.chunkedCount > 1 {
                return .invalidTransferEncoding
            }
            // §6.1: a coding we do not implement (gzip, ...) gets 501.
            if facts.transferCodingCount > 1 { return .unsupportedTransferEncoding }
        }
        // RFC 9110 §10.1.1: 417 for an expectation other than 100-continue (ignored in HTTP/1.0).
        if facts.expectOther && facts.isHTTP11 { return .unsupportedExpectation }
        return nil
    }

    // MARK: - Bodies

    private mutating func copyBody(_ input: UnsafeRawBufferPointer, from offset: Int) -> Int {
        let count = min(remaining, input.count - offset)
        guard count > 0 else { return 0 }
        body.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[offset..<(offset + count)]))
        remaining -= count
        return count
    }

    /// chunk-size [ chunk-ext ] (RFC 9112 §7.1). Extensions are validated loosely and ignored (§7.1.1).
    private mutating func handleChunkSize(_ line: UnsafeRawBufferPointer) -> Event? {
        var index = 0
        var size = 0
        while index < line.count, let value = ASCII.hexValue(line[index]) {
            guard index < 15 else { return fail(.invalidChunk) }  // > 60 bits cannot be a real chunk
            size = size << 4 | Int(value)
            index += 1
        }
        guard index > 0, Self.isValidChunkExtension(UnsafeRawBufferPointer(rebasing: line[index...])) else {
            return fail(.invalidChunk)
        }
        if size == 0 {
            state = .trailers
            headerBytes = 0
            return nil
        }
        guard size <= limits.maxBodyBytes - body.count else { return fail(.bodyTooLarge) }
        if !streamingBody, body.capacity < body.count + size {
            body.reserveCapacity(Swift.max(body.count + size, body.capacity * 2))
        }
        remaining = size
        state = .chunkData
        return nil
    }

    /// chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ): empty, or starting
    /// with ';' after optional whitespace, and free of control characters.
    private static func isValidChunkExtension(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let trimmed = ASCII.trimmed(bytes)
        if trimmed.isEmpty { return bytes.isEmpty }
        return trimmed[0] == UInt8(ascii: ";") && trimmed.allSatisfy(ASCII.isFieldValueByte)
    }

    /// Trailer fields are read and discarded (§7.1.2 lets a recipient ignore them), within the header
    /// size limit and with the same line rules as header fields.
    private mutating func handleTrailer(_ line: UnsafeRawBufferPointer) -> Event? {
        headerBytes += line.count + 2
        guard headerBytes <= limits.maxHeaderBytes else { return fail(.headersTooLarge) }
        guard !ASCII.isWhitespace(line[0]) else { return fail(.obsoleteLineFolding) }
        guard line.allSatisfy(ASCII.isFieldValueByte) else { return fail(.invalidHeaderValue) }
        return nil
    }

    // MARK: - Completion

    /// What is known of a request before its body: for the observer and logs of one the server is
    /// refusing, and as the head of one whose body is streamed. Nil unless its request line was parsed.
    /// The body is empty and the fields are those read so far.
    mutating func partialRequest() -> HTTPRequest? {
        guard let method = facts.method else { return nil }
        return HTTPRequest(
            method: method,
            target: facts.target,
            path: facts.path,
            query: facts.query,
            version: facts.version,
            headers: HTTPHeaders(fields: facts.fields),
            body: [],
            requestID: facts.requestID ?? idGenerator.next(),
            remoteAddress: remoteAddress,
            keepAlive: false
        )
    }

    private mutating func finishStreamedBody() -> Event {
        streamingBody = false
        _ = finishRequest()
        return .bodyEnd
    }

    private mutating func finishRequest() -> HTTPRequest {
        let keepAlive = facts.isHTTP11 ? !facts.connectionClose : facts.connectionKeepAlive && !facts.connectionClose
        let request = HTTPRequest(
            method: facts.method ?? .get,  // always set: the request line comes before any body
            target: facts.target,
            path: facts.path,
            query: facts.query,
            version: facts.version,
            headers: HTTPHeaders(fields: facts.fields),
            body: body,
            requestID: facts.requestID ?? idGenerator.next(),
            remoteAddress: remoteAddress,
            keepAlive: keepAlive
        )
        facts = HeadFacts()
        body = []
        headerBytes = 0
        remaining = 0
        state = .requestLine
        return request
    }
}
