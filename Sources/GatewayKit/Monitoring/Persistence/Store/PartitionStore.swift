import Foundation

/// One input partition's state on disk: a key-value mirror of its changelog partition (the same
/// keys and values as the changelog's records, see `ChangelogKey`), plus what this host knows of
/// its relation to the changelog.
///
/// Every row carries the flush (`seq`) that last wrote it. A flush commits its rows and its meta
/// row locally first, then produces every row newer than `confirmedSeq` to the changelog; once the
/// meta row is acknowledged, `confirm` moves `confirmedSeq` up. So a crash between the two never
/// loses a change from the changelog: the next flush sends it again. Tombstones are kept as rows
/// with no value until they are confirmed.
///
/// Used by one thread at a time (the consumer that owns the partition).
final class PartitionStore: @unchecked Sendable {
    let partition: Int32
    private let database: SQLiteDatabase
    private let get: SQLiteDatabase.Statement
    private let put: SQLiteDatabase.Statement
    private let setLocal: SQLiteDatabase.Statement
    private let stage: SQLiteDatabase.Statement
    private let spillRow: SQLiteDatabase.Statement
    /// Rows spilled since the last flush (they go into the next flush's commit).
    private(set) var pendingCount = 0
    /// This file's identity, written in its meta records, so that a replay recognises its own flushes.
    private(set) var storeID: String = ""
    private(set) var local = LocalState()

    struct LocalState: Equatable, Sendable {
        /// Cluster id, changelog topic and partition the rows belong to.
        var identity = ""
        /// The last flush committed here.
        var seq: Int64 = 0
        /// The last flush whose meta record the changelog acknowledged.
        var confirmedSeq: Int64 = 0
        /// The changelog offset of the newest meta record these rows include; -1 for none.
        var changelogOffset: Int64 = -1
    }

    /// Opens or creates the store of `partition` at `path`.
    ///
    /// `kv_tombstones` is what keeps `confirm` cheap: without it, deleting the confirmed tombstones
    /// walked `kv_seq` over nearly every row (each one confirmed) and looked each up, at every flush,
    /// which made the monitor slow down as the accounts grew.
    init(path: String, partition: Int32) throws(StoreError) {
        self.partition = partition
        database = try SQLiteDatabase(path: path)
        try database.execute(
            """
            CREATE TABLE IF NOT EXISTS kv (key BLOB PRIMARY KEY, value BLOB, seq INTEGER NOT NULL) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS kv_seq ON kv(seq);
            CREATE INDEX IF NOT EXISTS kv_tombstones ON kv(seq) WHERE value IS NULL;
            CREATE TABLE IF NOT EXISTS local (name TEXT PRIMARY KEY, value) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS replay (key BLOB PRIMARY KEY, value BLOB) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS pending (key BLOB PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
            DELETE FROM pending;
            """
        )
        // Pending rows (spilled since the last flush) are newer than the flushed ones.
        get = try database.prepare(
            """
            SELECT value FROM pending WHERE key = ?1
            UNION ALL SELECT value FROM kv WHERE key = ?1 AND value IS NOT NULL LIMIT 1
            """
        )
        spillRow = try database.prepare("INSERT OR REPLACE INTO pending (key, value) VALUES (?1, ?2)")
        put = try database.prepare("INSERT OR REPLACE INTO kv (key, value, seq) VALUES (?1, ?2, ?3)")
        setLocal = try database.prepare("INSERT OR REPLACE INTO local (name, value) VALUES (?1, ?2)")
        stage = try database.prepare("INSERT OR REPLACE INTO replay (key, value) VALUES (?1, ?2)")
        try readLocal()
    }

    func close() { database.close() }

    private func readLocal() throws(StoreError) {
        var values: [String: SQLiteDatabase.Row.Copy] = [:]
        try database.prepare("SELECT name, value FROM local").run([]) { row in
            values[row.text(0)] = row.isNull(1) ? nil : .init(integer: row.integer(1), text: row.text(1))
        }
        local.identity = values["identity"]?.text ?? ""
        local.seq = values["seq"]?.integer ?? 0
        local.confirmedSeq = values["confirmed_seq"]?.integer ?? 0
        local.changelogOffset = values["changelog_offset"]?.integer ?? -1
        if let id = values["store_id"]?.text, !id.isEmpty {
            storeID = id
        } else {
            storeID = UUID().uuidString
            try setLocal.run([.text("store_id"), .text(storeID)])
        }
    }

    /// Forgets every row and the relation to any changelog, and takes `identity`. The store gets a
    /// new id, so that a replay never mistakes the flushes it wrote before for rows it still has.
    func reset(identity: String) throws(StoreError) {
        let newID = UUID().uuidString
        try database.transaction { () throws(StoreError) in
            try database.execute("DELETE FROM kv; DELETE FROM replay; DELETE FROM pending; DELETE FROM local")
            try setLocal.run([.text("identity"), .text(identity)])
            try setLocal.run([.text("store_id"), .text(newID)])
        }
        local = LocalState(identity: identity)
        storeID = newID
        pendingCount = 0
    }

    // MARK: reads

    func value(for key: [UInt8]) throws(StoreError) -> [UInt8]? {
        var found: [UInt8]?
        try get.run([.blob(key)]) { row in found = row.blob(0) }
        return found
    }

    /// Runs `body`'s reads in one read transaction (one set of file locks for all of them).
    func reading<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        try database.reading(body)
    }

    /// Every live row whose key starts with `prefix` (ASCII), in key order.
    func rows(withPrefix prefix: String) throws(StoreError) -> [(key: [UInt8], value: [UInt8])] {
        var upper = Array(prefix.utf8)
        upper[upper.count - 1] += 1
        var rows: [(key: [UInt8], value: [UInt8])] = []
        try database.prepare(
            "SELECT key, value FROM kv WHERE key >= ?1 AND key < ?2 AND value IS NOT NULL ORDER BY key"
        )
        .run([.blob(Array(prefix.utf8)), .blob(upper)]) { row in rows.append((row.blob(0), row.blob(1))) }
        return rows
    }

    /// Rows (and tombstones: nil values) written by flushes the changelog has not confirmed, oldest
    /// flush first.
    func unconfirmedRows() throws(StoreError) -> [(key: [UInt8], value: [UInt8]?)] {
        var rows: [(key: [UInt8], value: [UInt8]?)] = []
        try database.prepare("SELECT key, value FROM kv WHERE seq > ?1 ORDER BY seq")
            .run([.integer(local.confirmedSeq)]) { row in rows.append((row.blob(0), row.isNull(1) ? nil : row.blob(1)))
            }
        return rows
    }

    /// Live rows in the store (for `/metrics` and tests).
    func count() throws(StoreError) -> Int {
        var n = 0
        try database.prepare("SELECT count(*) FROM kv WHERE value IS NOT NULL").run([]) { n = Int($0.integer(0)) }
        return n
    }

    // MARK: writes

    /// Rows written ahead of the next flush (accounts evicted from memory before it): readable at once,
    /// part of the store only once the flush commits (a crash before discards them, as it discards
    /// everything applied since the last flush).
    func spill(_ rows: [(key: [UInt8], value: [UInt8])]) throws(StoreError) {
        try database.transaction { () throws(StoreError) in
            for row in rows { try spillRow.run([.blob(row.key), .blob(row.value)]) }
        }
        pendingCount += rows.count
    }

    /// Commits one flush's rows (nil: a tombstone), after the spilled ones, atomically; returns the
    /// flush's number.
    func commit(flush rows: [(key: [UInt8], value: [UInt8]?)]) throws(StoreError) -> Int64 {
        let seq = local.seq + 1
        try database.transaction { () throws(StoreError) in
            try database.prepare("INSERT OR REPLACE INTO kv (key, value, seq) SELECT key, value, ?1 FROM pending")
                .run([.integer(seq)])
            try database.execute("DELETE FROM pending")
            for row in rows {
                try put.run([.blob(row.key), row.value.map { .blob($0) } ?? .null, .integer(seq)])
            }
            try setLocal.run([.text("seq"), .integer(seq)])
        }
        local.seq = seq
        pendingCount = 0
        return seq
    }

    /// The changelog acknowledged flush `seq`'s meta record at `changelogOffset`: its rows need not
    /// be sent again, and its tombstones can go.
    func confirm(seq: Int64, changelogOffset: Int64) throws(StoreError) {
        guard seq > local.confirmedSeq else { return }
        try database.transaction { () throws(StoreError) in
            try setLocal.run([.text("confirmed_seq"), .integer(seq)])
            try setLocal.run([.text("changelog_offset"), .integer(max(changelogOffset, local.changelogOffset))])
            try database.prepare("DELETE FROM kv WHERE value IS NULL AND seq <= ?1").run([.integer(seq)])
        }
        local.confirmedSeq = seq
        local.changelogOffset = max(changelogOffset, local.changelogOffset)
    }

    // MARK: replay of the changelog

    /// A changelog record read during a restore: staged until its group's meta record arrives.
    func stageReplayed(key: [UInt8], value: [UInt8]?) throws(StoreError) {
        try stage.run([.blob(key), value.map { .blob($0) } ?? .null])
    }

    /// A meta record at `changelogOffset` closes the staged group. A group this store wrote itself
    /// (`ownFlush` at most `local.seq`) is already here and is dropped; any other writer's group is
    /// newer than whatever this store has not confirmed, so it replaces those rows and they are no
    /// longer sent.
    func commitReplayed(metaKey: [UInt8], meta: [UInt8], changelogOffset: Int64, ownFlush: Int64?) throws(StoreError) {
        try database.transaction { () throws(StoreError) in
            if let ownFlush, ownFlush <= local.seq {
                try database.execute("DELETE FROM replay")
            } else {
                try database.execute(
                    """
                    DELETE FROM kv WHERE key IN (SELECT key FROM replay WHERE value IS NULL);
                    INSERT OR REPLACE INTO kv (key, value, seq) SELECT key, value, 0 FROM replay WHERE value IS NOT NULL;
                    DELETE FROM replay;
                    UPDATE kv SET seq = 0 WHERE seq > 0;
                    """
                )
                try put.run([.blob(metaKey), .blob(meta), .integer(0)])
                try setLocal.run([.text("confirmed_seq"), .integer(local.seq)])
            }
            try setLocal.run([.text("changelog_offset"), .integer(changelogOffset)])
        }
        if !(ownFlush.map { $0 <= local.seq } ?? false) { local.confirmedSeq = local.seq }
        local.changelogOffset = changelogOffset
    }

    /// Records after the last meta record belong to a flush that never finished: dropped.
    func discardStaged() throws(StoreError) {
        try database.execute("DELETE FROM replay")
    }
}

extension SQLiteDatabase.Row {
    /// A column read both ways, for the untyped `local` table.
    struct Copy {
        var integer: Int64
        var text: String
    }
}
