extension DedupeWindow {
    /// The ids oldest first, each with the time it was first applied.
    func write(to writer: inout StateWriter) {
        writer.count(entries.count)
        for entry in entries {
            entry.key.id.write(to: &writer)
            writer.signed(entry.seenAt)
        }
    }

    /// Re-inserts the ids in their order and with their own times, so each keeps its place in the
    /// window; ids beyond `capacity` push out the oldest, and expired ones go at the next insert.
    init(checkpoint reader: inout StateReader, windowMilliseconds: Int64, capacity: Int) throws(StateFormatError) {
        self.init(windowMilliseconds: windowMilliseconds, capacity: capacity)
        for _ in 0..<(try reader.count()) {
            let id = try CompactTransactionID(checkpoint: &reader)
            _ = insert(Key(id), now: try reader.signed())
        }
    }
}
