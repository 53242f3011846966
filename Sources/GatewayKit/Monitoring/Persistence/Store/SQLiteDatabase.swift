import CSQLite

/// One SQLite connection: the only owner of `sqlite3_*` calls in the gateway.
///
/// SQLite rather than a hand-written file format: a partition's state is a key-value map of up to
/// millions of small entries (accounts) that must be read back one at a time when they are not in
/// memory, and written in batches atomically with the input offset they cover. SQLite's B-tree,
/// write-ahead log and transactions do exactly that, and Debian ships it (see ARCHITECTURE.md).
///
/// Not thread-safe by itself: each partition's store is used by one thread at a time (the
/// consumer thread that owns the partition), which is what makes `@unchecked Sendable` safe.
final class SQLiteDatabase: @unchecked Sendable {
    private var handle: OpaquePointer?
    let path: String
    private var readStatements: (begin: Statement, commit: Statement)?

    /// Opens (creating if needed) the database at `path`, in write-ahead-log mode with
    /// `synchronous=NORMAL`: a committed transaction survives the process being killed (not
    /// necessarily a power loss, which the changelog covers).
    init(path: String) throws(StoreError) {
        self.path = path
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &db, flags, nil)
        guard code == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(db)
            throw .sqlite(path: path, message: message)
        }
        handle = db
        // Another process holding the file (a second gateway given the same --state-dir) makes
        // statements fail after this long instead of at once.
        sqlite3_busy_timeout(db, 2000)
        try execute("PRAGMA journal_mode=WAL")
        try execute("PRAGMA synchronous=NORMAL")
        // Each page of the cache is ~4 KiB; 2 MiB per partition keeps the B-tree's upper levels in memory.
        try execute("PRAGMA cache_size=-2048")
    }

    deinit { close() }

    func close() {
        guard let handle else { return }
        readStatements = nil  // finalized before the connection closes
        sqlite3_close_v2(handle)
        self.handle = nil
    }

    func execute(_ sql: String) throws(StoreError) {
        var error: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(handle, sql, nil, nil, &error) == SQLITE_OK else {
            let message = error.map { String(cString: $0) } ?? "unknown error"
            sqlite3_free(error)
            throw .sqlite(path: path, message: "\(message) (\(sql))")
        }
    }

    func prepare(_ sql: String) throws(StoreError) -> Statement {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil) == SQLITE_OK,
            let statement
        else { throw lastError(sql) }
        return Statement(statement, database: self)
    }

    /// Runs `body` inside one transaction: committed if it returns, rolled back if it throws.
    func transaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Runs `body` inside one deferred (read) transaction: its reads see one snapshot and take the
    /// file's locks once instead of once per statement.
    /// Its BEGIN and COMMIT are prepared once: `sqlite3_exec` would compile them at every call.
    func reading<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        if readStatements == nil { readStatements = (try prepare("BEGIN"), try prepare("COMMIT")) }
        try readStatements!.begin.run([])
        do {
            let result = try body()
            try readStatements!.commit.run([])
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    fileprivate func lastError(_ context: String) -> StoreError {
        .sqlite(path: path, message: "\(String(cString: sqlite3_errmsg(handle))) (\(context))")
    }

    /// A prepared statement, reset after each use.
    final class Statement {
        private let statement: OpaquePointer
        private unowned let database: SQLiteDatabase

        fileprivate init(_ statement: OpaquePointer, database: SQLiteDatabase) {
            self.statement = statement
            self.database = database
        }

        deinit { sqlite3_finalize(statement) }

        /// Binds `values` (1-based, in order), runs the statement to completion, and calls `row` for
        /// each result row.
        func run(_ values: [Value], row: (Row) throws(StoreError) -> Void = { _ in }) throws(StoreError) {
            defer {
                sqlite3_reset(statement)
                sqlite3_clear_bindings(statement)
            }
            for (index, value) in values.enumerated() {
                let position = Int32(index + 1)
                let code: Int32
                switch value {
                case .integer(let n): code = sqlite3_bind_int64(statement, position, n)
                case .null: code = sqlite3_bind_null(statement, position)
                case .text(let text): code = sqlite3_bind_text(statement, position, text, -1, sqliteTransient)
                case .blob(let bytes):
                    code = bytes.withUnsafeBytes { raw in
                        // A zero-length blob must still bind as a blob, not NULL.
                        sqlite3_bind_blob(
                            statement,
                            position,
                            raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1),
                            Int32(raw.count),
                            sqliteTransient
                        )
                    }
                }
                guard code == SQLITE_OK else { throw database.lastError("bind") }
            }
            while true {
                switch sqlite3_step(statement) {
                case SQLITE_ROW: try row(Row(statement: statement))
                case SQLITE_DONE: return
                default: throw database.lastError("step")
                }
            }
        }
    }

    enum Value {
        case integer(Int64)
        case text(String)
        case blob([UInt8])
        case null
    }

    /// The current row of a running statement (valid only inside the `row` callback).
    struct Row {
        fileprivate let statement: OpaquePointer

        func integer(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }

        func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }

        func text(_ column: Int32) -> String {
            sqlite3_column_text(statement, column).map { String(cString: $0) } ?? ""
        }

        func blob(_ column: Int32) -> [UInt8] {
            let count = Int(sqlite3_column_bytes(statement, column))
            guard count > 0, let base = sqlite3_column_blob(statement, column) else { return [] }
            return Array(UnsafeRawBufferPointer(start: base, count: count))
        }
    }
}

/// SQLITE_TRANSIENT is a C macro (a cast of -1), which Swift does not import: SQLite copies the bytes.
private let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// What went wrong with a partition's local store.
enum StoreError: Error, CustomStringConvertible {
    case sqlite(path: String, message: String)
    case malformed(String)

    var description: String {
        switch self {
        case .sqlite(let path, let message): "\(path): \(message)"
        case .malformed(let message): message
        }
    }
}
