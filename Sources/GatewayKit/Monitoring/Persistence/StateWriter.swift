/// Appends the checkpoint format's primitives to a byte buffer: LEB128 varints for counts and
/// sizes (most are small), zigzag varints for signed values, fixed 8-byte words for hashes.
///
/// A hand-written binary format rather than `Codable`: a checkpoint of 100,000 accounts is
/// written every few seconds on a consumer thread, and JSON would be several times larger and
/// slower (see the restore benchmark in Benchmarks/Monitor).
struct StateWriter {
    private(set) var bytes: [UInt8] = []
    /// The checkpoint format version being written: an older one leaves out the later parts (the
    /// gateway writes the newest; the format's tests write older ones to check they are read).
    let version: UInt64

    init(reservingCapacity capacity: Int = 4096, version: UInt64 = PartitionCheckpoint.version) {
        bytes.reserveCapacity(capacity)
        self.version = version
    }

    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    mutating func count(_ value: Int) { varint(UInt64(max(0, value))) }

    mutating func signed(_ value: Int64) {
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    mutating func word(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func wide(_ value: UInt128) {
        word(UInt64(truncatingIfNeeded: value))
        word(UInt64(truncatingIfNeeded: value >> 64))
    }

    mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    mutating func string(_ value: String) {
        count(value.utf8.count)
        bytes.append(contentsOf: value.utf8)
    }

    mutating func optional<T>(_ value: T?, _ write: (inout Self, T) -> Void) {
        bool(value != nil)
        if let value { write(&self, value) }
    }

    mutating func raw(_ value: [UInt8]) { bytes.append(contentsOf: value) }
}
