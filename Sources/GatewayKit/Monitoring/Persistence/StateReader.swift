/// Reads what `StateWriter` wrote; every read is bounds-checked and throws
/// `StateFormatError` on truncated or malformed input (a checkpoint comes from another process
/// and maybe another version).
struct StateReader {
    private let bytes: [UInt8]
    private(set) var position: Int
    /// The checkpoint format version being read (set from the header), so that a part added in a
    /// later version is read only from documents that have it.
    var version = PartitionCheckpoint.version

    init(_ bytes: [UInt8], at position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    var isAtEnd: Bool { position >= bytes.count }

    mutating func varint() throws(StateFormatError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < bytes.count else { throw .truncated }
            let byte = bytes[position]
            position += 1
            guard shift < 64 else { throw .malformed("varint longer than 64 bits") }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    /// A count or size; `limit` guards allocations sized by it against corrupt input.
    mutating func count(limit: Int = 1 << 28) throws(StateFormatError) -> Int {
        let value = try varint()
        guard value <= UInt64(limit) else { throw .malformed("count \(value) above \(limit)") }
        return Int(value)
    }

    mutating func signed() throws(StateFormatError) -> Int64 {
        let raw = try varint()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    mutating func word() throws(StateFormatError) -> UInt64 {
        guard bytes.count - position >= 8 else { throw .truncated }
        var value: UInt64 = 0
        for index in 0..<8 { value |= UInt64(bytes[position + index]) << (8 * UInt64(index)) }
        position += 8
        return value
    }

    mutating func wide() throws(StateFormatError) -> UInt128 {
        let low = try word()
        let high = try word()
        return UInt128(high) << 64 | UInt128(low)
    }

    mutating func bool() throws(StateFormatError) -> Bool {
        guard position < bytes.count else { throw .truncated }
        position += 1
        return bytes[position - 1] != 0
    }

    mutating func string() throws(StateFormatError) -> String {
        let length = try varint()
        guard length <= UInt64(bytes.count - position) else { throw .truncated }
        defer { position += Int(length) }
        return String(decoding: bytes[position..<(position + Int(length))], as: UTF8.self)
    }

    mutating func optional<T>(_ read: (inout Self) throws(StateFormatError) -> T) throws(StateFormatError) -> T? {
        try bool() ? try read(&self) : nil
    }

    mutating func raw(count: Int) throws(StateFormatError) -> [UInt8] {
        guard bytes.count - position >= count else { throw .truncated }
        defer { position += count }
        return Array(bytes[position..<(position + count)])
    }
}

/// A checkpoint that cannot be read: cut short, malformed, or of an unknown version.
enum StateFormatError: Error, Equatable, CustomStringConvertible {
    case truncated
    case malformed(String)

    var description: String {
        switch self {
        case .truncated: "checkpoint truncated"
        case .malformed(let reason): "checkpoint malformed: \(reason)"
        }
    }
}
