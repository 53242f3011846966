/// Writes a response's status line, header section and body into an output buffer (RFC 9112 §4, §6).
///
/// The server owns message framing: it always writes `Date`, `Content-Length` (except where RFC 9110
/// §8.6 forbids it) and, when it is going to close or the client is HTTP/1.0 keep-alive, `Connection`.
/// The corresponding handler fields are dropped so a handler cannot produce a response whose framing
/// disagrees with what the server does.
enum ResponseSerializer {
    struct Framing {
        /// The request was HEAD: write the header section only (RFC 9110 §9.3.2).
        var isHead: Bool
        /// The connection closes after this response: send `Connection: close` (RFC 9112 §9.6).
        var close: Bool
        /// An HTTP/1.0 client asked to keep the connection: confirm with `Connection: keep-alive`.
        var confirmKeepAlive: Bool
        /// A streaming response: the head only, its body follows as chunks or until the close.
        var stream: StreamFraming? = nil
    }

    /// How a streaming response's body is delimited: chunked for HTTP/1.1 (RFC 9112 §7.1), so the
    /// client can tell the end from a cut connection; by closing the connection for HTTP/1.0, which
    /// has no chunked coding (RFC 9112 §6.3, rule 8).
    enum StreamFraming {
        case chunked
        case closeDelimited
    }

    /// True when the handler asked to close the connection after this response.
    static func requestsClose(_ response: HTTPResponse) -> Bool {
        for field in response.headers where field.name.utf8.count == 10 {
            var name = field.name
            var value = field.value
            let isClose = name.withUTF8 { nameBytes in
                ASCII.equalsLowercase(UnsafeRawBufferPointer(nameBytes), "connection")
                    && value.withUTF8 { valueBytes in
                        !ASCII.forEachListElement(UnsafeRawBufferPointer(valueBytes)) {
                            !ASCII.equalsLowercase($0, "close")
                        }
                    }
            }
            if isClose { return true }
        }
        return false
    }

    /// A status the wire format can carry as a final response; anything else is reported as 500.
    static func finalStatus(_ status: HTTPResponse.Status) -> HTTPResponse.Status {
        (200...999).contains(status.code) ? status : .internalServerError
    }

    static func write(_ response: HTTPResponse, framing: Framing, date: HTTPDate, into out: inout [UInt8]) {
        let status = finalStatus(response.status)
        // RFC 9110 §6.4.1: 204 and 304 never have content; §8.6: 204 has no Content-Length either.
        let bodyAllowed = status.code != 204 && status.code != 304
        writeStatusLine(status, into: &out)
        var handlerContentLength: String?
        for field in response.headers {
            switch classify(field.name) {
            case .framing: continue
            case .contentLength:
                handlerContentLength = field.value
                continue
            case .other:
                writeField(field.name, field.value, into: &out)
            }
        }
        appendStatic("Date: ", to: &out)
        date.append(to: &out)
        appendStatic("\r\n", to: &out)
        if bodyAllowed, let stream = framing.stream {
            if stream == .chunked { appendStatic("Transfer-Encoding: chunked\r\n", to: &out) }
        } else if bodyAllowed {
            appendStatic("Content-Length: ", to: &out)
            if framing.isHead, let declared = handlerContentLength, declared.utf8.allSatisfy({ $0 &- 0x30 < 10 }),
                !declared.isEmpty
            {
                out.append(contentsOf: declared.utf8)  // HEAD may announce the GET's length (§9.3.2)
            } else {
                appendDecimal(response.body.count, to: &out)
            }
            appendStatic("\r\n", to: &out)
        }
        if framing.close {
            appendStatic("Connection: close\r\n", to: &out)
        } else if framing.confirmKeepAlive {
            appendStatic("Connection: keep-alive\r\n", to: &out)
        }
        appendStatic("\r\n", to: &out)
        if bodyAllowed && !framing.isHead && framing.stream == nil {
            out.append(contentsOf: response.body)
        }
    }

    /// One piece of a streaming body: a chunk (size in hex, CRLF, data, CRLF; RFC 9112 §7.1), or the
    /// bytes as they are when the body is close-delimited. `bytes` must not be empty.
    static func writeStreamData(_ bytes: [UInt8], framing: StreamFraming, into out: inout [UInt8]) {
        guard framing == .chunked else {
            out.append(contentsOf: bytes)
            return
        }
        appendHex(bytes.count, to: &out)
        appendStatic("\r\n", to: &out)
        out.append(contentsOf: bytes)
        appendStatic("\r\n", to: &out)
    }

    /// The end of a chunked body: the last chunk and an empty trailer section (RFC 9112 §7.1).
    static func writeLastChunk(into out: inout [UInt8]) {
        appendStatic("0\r\n\r\n", to: &out)
    }

    private static func appendHex(_ value: Int, to out: inout [UInt8]) {
        let digits: StaticString = "0123456789abcdef"
        var shift = (Int.bitWidth - value.leadingZeroBitCount + 3) / 4 * 4 - 4
        if shift < 0 { shift = 0 }
        digits.withUTF8Buffer { digits in
            while shift >= 0 {
                out.append(digits[(value >> shift) & 0xF])
                shift -= 4
            }
        }
    }

    /// "HTTP/1.1 100 Continue", sent before reading a body the client is holding back (RFC 9110 §15.2.1).
    static func writeContinue(into out: inout [UInt8]) {
        appendStatic("HTTP/1.1 100 Continue\r\n\r\n", to: &out)
    }

    private static func writeStatusLine(_ status: HTTPResponse.Status, into out: inout [UInt8]) {
        // RFC 9110 §6.2: a server sends its highest conformant version with the request's major version.
        appendStatic("HTTP/1.1 ", to: &out)
        appendDecimal(status.code, to: &out)
        out.append(ASCII.space)
        let phrase = status.staticReasonPhrase
        if phrase.utf8CodeUnitCount > 0 {
            appendStatic(phrase, to: &out)
        } else {
            // An unregistered code's own phrase: swift-http-types already replaced what a status line
            // cannot carry (CR, LF, controls) with spaces.
            out.append(contentsOf: status.reasonPhrase.utf8)
        }
        appendStatic("\r\n", to: &out)
    }

    /// Copies a handler field, replacing CR, LF and NUL with SP so that a value taken from user input
    /// can never split the response (RFC 9110 §5.5).
    private static func writeField(_ name: String, _ value: String, into out: inout [UInt8]) {
        appendSanitized(name, to: &out)
        out.append(ASCII.colon)
        out.append(ASCII.space)
        appendSanitized(value, to: &out)
        appendStatic("\r\n", to: &out)
    }

    private static func appendSanitized(_ text: String, to out: inout [UInt8]) {
        let start = out.count
        out.append(contentsOf: text.utf8)
        for index in start..<out.count {
            let byte = out[index]
            if byte == ASCII.cr || byte == ASCII.lf || byte == 0 {
                out[index] = ASCII.space
            }
        }
    }

    private enum FieldKind {
        case framing
        case contentLength
        case other
    }

    /// Fields the server writes itself. Checked by length first, so most fields cost one comparison.
    private static func classify(_ name: String) -> FieldKind {
        let count = name.utf8.count
        guard count == 4 || count == 10 || count == 14 || count == 17 else { return .other }
        var name = name
        return name.withUTF8 { raw in
            let bytes = UnsafeRawBufferPointer(raw)
            switch count {
            case 4 where ASCII.equalsLowercase(bytes, "date"): return .framing
            case 10 where ASCII.equalsLowercase(bytes, "connection"): return .framing
            case 14 where ASCII.equalsLowercase(bytes, "content-length"): return .contentLength
            case 17 where ASCII.equalsLowercase(bytes, "transfer-encoding"): return .framing
            default: return .other
            }
        }
    }

    static func appendStatic(_ text: StaticString, to out: inout [UInt8]) {
        text.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        guard value > 0 else {
            out.append(UInt8(ascii: "0"))
            return
        }
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var remaining = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            while remaining > 0 {
                buffer[19 - count] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
                count += 1
            }
            out.append(contentsOf: buffer[(20 - count)...])
        }
    }
}
