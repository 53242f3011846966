import Foundation

/// A position in the alert store's order (newest first by `detected_at`, ties by arrival), and,
/// encoded, the opaque `cursor` of `GET /alerts` paging.
///
/// The encoding carries the exact `detected_at` (its bit pattern) and the store's arrival
/// sequence number, so a page continues exactly after the last alert returned even if that
/// alert has since been evicted. Clients must treat it as opaque.
struct AlertCursor: Hashable, Sendable, Comparable {
    var detectedAt: Date
    var sequence: UInt64

    /// Ascending: older first. The store pages through it backwards.
    static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.detectedAt != rhs.detectedAt ? lhs.detectedAt < rhs.detectedAt : lhs.sequence < rhs.sequence
    }

    /// base64url (no padding) of "1.<time bits in hex>.<sequence>".
    var encoded: String {
        let text = "1.\(String(detectedAt.timeIntervalSinceReferenceDate.bitPattern, radix: 16)).\(sequence)"
        return Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    init(detectedAt: Date, sequence: UInt64) {
        self.detectedAt = detectedAt
        self.sequence = sequence
    }

    /// Nil for anything `encoded` did not produce.
    init?(encoded: String) {
        guard encoded.count <= 64 else { return nil }
        var base64 = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "1",
            let bits = UInt64(parts[1], radix: 16), let sequence = UInt64(parts[2])
        else { return nil }
        let seconds = Double(bitPattern: bits)
        guard seconds.isFinite else { return nil }
        self.init(detectedAt: Date(timeIntervalSinceReferenceDate: seconds), sequence: sequence)
    }
}
