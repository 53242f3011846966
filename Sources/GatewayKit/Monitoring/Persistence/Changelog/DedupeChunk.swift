/// The value of a `d/<n>` changelog record: ids the dedupe window took in one flush, each with the
/// monitor-clock time it was first applied, oldest first. A flush splits its new ids into chunks
/// of at most `maxEntries`, so that a record stays far below the 256 KiB a changelog record may use
/// (an id written as text is at most 255 bytes: 4,096 UUIDs are about 100 KiB, 512 long text ids
/// about 130 KiB).
enum DedupeChunk {
    static func maxEntries(for entries: ArraySlice<DedupeWindow.Entry>) -> Int {
        entries.contains { if case .text = $0.key.id { true } else { false } } ? 512 : 4096
    }

    static func encode(_ entries: ArraySlice<DedupeWindow.Entry>) -> [UInt8] {
        var out = StateWriter(reservingCapacity: entries.count * 26 + 8)
        out.count(entries.count)
        for entry in entries {
            entry.key.id.write(to: &out)
            out.signed(entry.seenAt)
        }
        return out.bytes
    }

    static func decode(_ bytes: [UInt8]) throws(StateFormatError) -> [DedupeWindow.Entry] {
        var reader = StateReader(bytes)
        var entries: [DedupeWindow.Entry] = []
        for _ in 0..<(try reader.count(limit: 1 << 16)) {
            let id = try CompactTransactionID(checkpoint: &reader)
            entries.append(DedupeWindow.Entry(key: DedupeWindow.Key(id), seenAt: try reader.signed()))
        }
        return entries
    }
}
