/// The text of a `Date` field: an IMF-fixdate (RFC 9110 §5.6.7) is always 29 bytes.
///
/// Held inline rather than in an array, so that handing the current date to a connection with every
/// event (`EventTime`) copies 29 bytes and touches no reference count.
struct HTTPDate {
    static let length = 29
    private var bytes = InlineArray<29, UInt8>(repeating: ASCII.space)

    /// The first 29 bytes of `text`, padded with spaces if shorter.
    init(_ text: [UInt8]) {
        for index in 0..<min(text.count, Self.length) {
            bytes[index] = text[index]
        }
    }

    func append(to out: inout [UInt8]) {
        bytes.span.withUnsafeBufferPointer { out.append(contentsOf: $0) }
    }
}
