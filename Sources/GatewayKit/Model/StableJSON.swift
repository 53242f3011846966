import Foundation

/// The one JSON encoder setting of the gateway's documents (problems, alerts, `/stats`, `/alerts`,
/// `/readyz`): sorted keys, so the same value always gives the same bytes (an unsorted encoder's key
/// order follows a dictionary's and changes between runs), and `/` left unescaped.
enum StableJSON {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// The bytes of `value`, or nil when it cannot be encoded (a non-finite number).
    static func bytes(_ value: some Encodable) -> [UInt8]? {
        (try? encoder().encode(value)).map(Array.init)
    }
}
