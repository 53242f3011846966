import Foundation
import Logging

/// Where the partition stores live (`--state-dir`): `<root>/<changelog topic>/partition-<p>.sqlite`.
struct StateDirectory: Sendable {
    let root: String

    /// The store file of `partition`, its folders created if missing.
    func path(topic: String, partition: Int32) throws(StoreError) -> String {
        let folder = (root as NSString).appendingPathComponent(Self.safe(topic))
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw .sqlite(path: folder, message: "cannot create the state directory: \(error.localizedDescription)")
        }
        return (folder as NSString).appendingPathComponent("partition-\(partition).sqlite")
    }

    /// Deletes a store file and its write-ahead log (an unreadable store is rebuilt from the changelog).
    func remove(path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    /// A topic name as one path component (Kafka allows letters, digits, '.', '_' and '-').
    private static func safe(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-" ? $0 : "_" })
    }
}

/// An `AccountTable`'s way back to the accounts it evicted: the partition's store.
struct StoredAccounts: AccountBacking {
    let store: PartitionStore
    let logger: Logger

    func state(of account: String) -> AccountState? {
        do {
            guard let bytes = try store.value(for: ChangelogKey.account(account).bytes) else { return nil }
            var reader = StateReader(bytes)
            return try AccountState(checkpoint: &reader)
        } catch {
            // The account starts afresh: its rules forget at most one account's recent history.
            logger.error(
                "account state unreadable in the partition store",
                metadata: ["partition": "\(store.partition)", "account_id": "\(account)", "error": "\(error)"]
            )
            return nil
        }
    }

    /// In one read transaction: each read on its own takes and releases the file's shared locks
    /// (several `fcntl` calls). Should the transaction not begin, the reads run one by one.
    func states(of accounts: [String]) -> [String: AccountState?] {
        var states: [String: AccountState?] = [:]
        states.reserveCapacity(accounts.count)
        if accounts.count > 1 {
            _ = try? store.reading { () throws(StoreError) in
                for account in accounts { states[account] = .some(state(of: account)) }
            }
        }
        for account in accounts where states[account] == nil { states[account] = .some(state(of: account)) }
        return states
    }

    func spill(_ accounts: [String: AccountState]) -> Bool {
        let rows = accounts.map { account, state in
            var out = StateWriter(reservingCapacity: 256)
            state.write(to: &out)
            return (key: ChangelogKey.account(account).bytes, value: out.bytes)
        }
        do {
            try store.spill(rows)
            return true
        } catch {
            logger.error(
                "evicted accounts not written to the partition store; kept in memory until the flush",
                metadata: ["partition": "\(store.partition)", "error": "\(error)"]
            )
            return false
        }
    }
}
