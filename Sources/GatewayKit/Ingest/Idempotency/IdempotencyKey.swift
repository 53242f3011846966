/// The value of an `Idempotency-Key` request field (draft-ietf-httpapi-idempotency-key-header-06
/// §2.1: an RFC 8941 Item whose bare item is a String).
///
/// Accepted forms, both meaning the same key:
/// - the draft's sf-string, `"8e03978e-40d5-43e8-bc93-6894a57f9324"` (RFC 8941 §3.3.3: printable
///   ASCII, `\"` and `\\` escapes), optionally followed by parameters, which are ignored as RFC 8941
///   §3.1.2 lets a recipient do;
/// - a bare key of visible ASCII without quotes, backslashes, `;` or `,`, as many payment APIs'
///   clients send it (`Idempotency-Key: 8e03978e-...`).
/// The key is at most `maxBytes` bytes once unquoted; the field appears once.
package struct IdempotencyKey: Sendable, Hashable {
    static let fieldName = "Idempotency-Key"
    static let maxBytes = 255

    let value: String
    /// Whose key it is: the API key's name when API keys are on, so one client's key never replays
    /// another client's answer; nil when every route is open.
    var client: String?

    /// This key, as sent by `client`.
    func scoped(to client: String?) -> IdempotencyKey {
        var key = self
        key.client = client
        return key
    }

    package enum ParseError: Error, Equatable {
        case repeated
        case empty
        case tooLong
        case malformed
    }

    /// Parses the request's field values (every `Idempotency-Key` line, in order).
    package static func parse(_ fields: [String]) throws(ParseError) -> IdempotencyKey {
        guard fields.count == 1, let field = fields.first else { throw .repeated }
        let bytes = Array(trimmed(field.utf8))
        let key = bytes.first == UInt8(ascii: "\"") ? try quoted(bytes) : try bare(bytes)
        guard !key.isEmpty else { throw .empty }
        guard key.count <= maxBytes else { throw .tooLong }
        return IdempotencyKey(value: String(decoding: key, as: UTF8.self))
    }

    /// RFC 8941 §4.2.5 (parsing a string), then optional parameters (`;name=value...`).
    private static func quoted(_ bytes: [UInt8]) throws(ParseError) -> [UInt8] {
        var key: [UInt8] = []
        var index = 1
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "\\")
                else {
                    throw .malformed
                }
                key.append(bytes[index])
            case UInt8(ascii: "\""):
                let rest = bytes[(index + 1)...]
                guard rest.isEmpty || rest.first == UInt8(ascii: ";") else { throw .malformed }
                return key
            case 0x20...0x7E:
                key.append(byte)
            default:
                throw .malformed
            }
            index += 1
        }
        throw .malformed
    }

    private static func bare(_ bytes: [UInt8]) throws(ParseError) -> [UInt8] {
        let forbidden: Set<UInt8> = [UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: ";"), UInt8(ascii: ",")]
        guard bytes.allSatisfy({ (0x21...0x7E).contains($0) && !forbidden.contains($0) }) else { throw .malformed }
        return bytes
    }

    private static func trimmed(_ bytes: String.UTF8View) -> ArraySlice<UInt8> {
        var slice = ArraySlice(bytes)
        while let first = slice.first, first == 0x20 || first == 0x09 { slice = slice.dropFirst() }
        while let last = slice.last, last == 0x20 || last == 0x09 { slice = slice.dropLast() }
        return slice
    }
}
