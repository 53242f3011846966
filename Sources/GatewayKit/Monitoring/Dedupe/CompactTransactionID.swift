/// A transaction id as the rules keep it in per-account state.
///
/// Most ids are UUIDs (36 characters: a 64-byte heap string each). Kept as their 16 bytes plus
/// letter case they need no heap object, which saves about a third of the rule state per
/// account and the reference counting of cold strings on the per-record path. Any other id is
/// kept as its string. `text` gives back the exact original spelling.
enum CompactTransactionID: Hashable, Sendable {
    case uuid(high: UInt64, low: UInt64, uppercase: Bool)
    case text(String)

    init(_ id: String) {
        self = Self.parseUUID(id) ?? .text(id)
    }

    var text: String {
        switch self {
        case .text(let text): return text
        case .uuid(let high, let low, let uppercase): return Self.format(high, low, uppercase: uppercase)
        }
    }

    /// Accepts only the canonical 8-4-4-4-12 form in one letter case, so that `text` restores it.
    private static func parseUUID(_ id: String) -> Self? {
        guard id.utf8.count == 36 else { return nil }
        var words: (high: UInt64, low: UInt64) = (0, 0)
        var digits = 0
        var cases: (lower: Bool, upper: Bool) = (false, false)
        for (index, byte) in id.utf8.enumerated() {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            guard let value = hexValue(byte, &cases) else { return nil }
            if digits < 16 { words.high = words.high << 4 | value } else { words.low = words.low << 4 | value }
            digits += 1
        }
        guard !(cases.lower && cases.upper) else { return nil }
        return .uuid(high: words.high, low: words.low, uppercase: cases.upper)
    }

    private static func hexValue(_ byte: UInt8, _ cases: inout (lower: Bool, upper: Bool)) -> UInt64? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt64(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"):
            cases.lower = true
            return UInt64(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"):
            cases.upper = true
            return UInt64(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    private static func format(_ high: UInt64, _ low: UInt64, uppercase: Bool) -> String {
        let alphabet = Array((uppercase ? "0123456789ABCDEF" : "0123456789abcdef").utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(36)
        for index in 0..<32 {
            if index == 8 || index == 12 || index == 16 || index == 20 { bytes.append(UInt8(ascii: "-")) }
            let word = index < 16 ? high : low
            let shift = UInt64(60 - 4 * (index % 16))
            bytes.append(alphabet[Int((word >> shift) & 0xF)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
