@testable import HTTPCore

/// What must hold for any bytes given to `HTTPParser`, checked by the libFuzzer target
/// (Fuzz/Targets/HTTPParserTarget.swift) and by replaying its corpus in the test suite:
/// 1. the same outcomes whether the bytes come at once, in two or three pieces, or one by one;
/// 2. a request it accepts, written out again, parses back to the same request.
/// Not crashing is the third, checked by running at all (under AddressSanitizer in the fuzzer).
enum HTTPParserProperties {
    /// Nil when every property holds, else what broke.
    static func violation(in bytes: [UInt8]) -> String? {
        let whole = outcomes(parse([bytes]))
        for pieces in splits(of: bytes) {
            let split = outcomes(parse(pieces))
            if split != whole { return "split \(pieces.map(\.count)): \(split) vs whole: \(whole)" }
        }
        for case .request(let request) in whole {
            let again = outcomes(parse([serialized(request)]))
            if again != [.request(request)] { return "re-parse of \(request): \(again)" }
        }
        return nil
    }

    /// Whether the parser sends 100 Continue depends on whether body bytes arrived with the head,
    /// so that event is left out of the comparison.
    static func outcomes(_ outcomes: [ParseOutcome]) -> [ParseOutcome] {
        outcomes.filter { $0 != .continueExpected }
    }

    /// Two and three pieces at points taken from the bytes themselves (so a run is reproducible
    /// from its input alone), and one byte at a time.
    static func splits(of bytes: [UInt8]) -> [[[UInt8]]] {
        guard bytes.count > 1 else { return [] }
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        let first = Int(hash % UInt64(bytes.count))
        let second = first + Int((hash >> 32) % UInt64(bytes.count - first))
        return [
            [Array(bytes[..<first]), Array(bytes[first...])],
            [Array(bytes[..<first]), Array(bytes[first..<second]), Array(bytes[second...])],
            bytes.map { [$0] },
        ]
    }

    /// The request as a client would send it: its head field by field (values as parsed, so
    /// trimmed, with no space after the colon), the body as read, framed the way the original said: one chunk when it was chunked,
    /// else the original Content-Length (trailers and leading empty lines are not kept).
    static func serialized(_ request: RequestSummary) -> [UInt8] {
        var head = Array("\(request.method) \(request.target) \(request.version)\r\n".utf8)
        for field in request.headers {
            // "name: value" as summarised, written "name:value" (bytes, not Characters: a value may
            // start with a combining mark): never longer than what was read, so within the limits.
            let bytes = Array(field.utf8)
            guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { continue }
            head += bytes[...colon] + bytes[(colon + 2)...] + Array("\r\n".utf8)
        }
        head += Array("\r\n".utf8)
        let isChunked = request.headers.contains { $0.lowercased().hasPrefix("transfer-encoding:") }
        guard isChunked else { return head + request.body }
        let chunk =
            request.body.isEmpty
            ? [] : Array("\(String(request.body.count, radix: 16))\r\n".utf8) + request.body + Array("\r\n".utf8)
        return head + chunk + Array("0\r\n\r\n".utf8)
    }
}
