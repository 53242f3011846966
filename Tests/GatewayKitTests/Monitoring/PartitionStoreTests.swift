import Foundation
import Logging
import Testing

@testable import GatewayKit

/// A partition's state flushed to its SQLite store as changelog rows and loaded back is the same
/// state; accounts evicted from memory come back from disk; and the store's bookkeeping sends
/// every unconfirmed row again and recognises its own flushes in a replay.
@Suite struct PartitionStoreTests {
    static let logger = Logger(label: "test")
    static let allRules: Set<AlertRuleName> = [.velocity, .amountSpike, .countryHop, .duplicateCharge]

    /// A fresh store file in a scratch folder.
    static func store(_ name: String = UUID().uuidString) throws -> PartitionStore {
        let folder = NSTemporaryDirectory() + "partition-store-tests/\(name)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return try PartitionStore(path: folder + "/p0.sqlite", partition: 0)
    }

    /// A monitor holding partition 0 backed by `store`, as the gateway's keeper installs it (changes
    /// are tracked for a flush only with a backing store).
    static func monitor(
        backedBy store: PartitionStore,
        rules: Set<AlertRuleName> = allRules,
        accounts capacity: Int? = nil,
        _ configure: (inout MonitorConfiguration) -> Void = { _ in }
    ) -> Monitor {
        let monitor = Fixture.monitor(rules: rules, configure)
        var state = PartitionState(configuration: monitor.configuration)
        if let capacity { state.accounts = AccountTable(capacity: capacity) }
        state.accounts.backing = StoredAccounts(store: store, logger: logger)
        monitor.install(state, for: 0)
        return monitor
    }

    /// Feeds `txs` to partition 0 at consecutive offsets from `offset`.
    static func feed(_ monitor: Monitor, _ txs: [Transaction], from offset: Int64 = 0) {
        for (index, tx) in txs.enumerated() {
            _ = monitor.record(tx, source: 0, offset: offset + Int64(index), now: tx.timestamp)
        }
    }

    /// Flushes partition 0's changes into `store`; returns the flush's rows.
    @discardableResult
    static func flush(
        _ monitor: Monitor,
        into store: PartitionStore,
        chunks: inout DedupeChunks
    ) throws -> [(
        key: [UInt8], value: [UInt8]?
    )] {
        let changes = try #require(monitor.takeChanges(of: 0))
        let rows = StateRows.rows(
            for: changes,
            partition: 0,
            chunks: &chunks,
            store: store,
            writer: "test",
            createdAt: 1
        )
        _ = try store.commit(flush: rows)
        return rows
    }

    static func restored(
        from store: PartitionStore,
        _ configure: (inout MonitorConfiguration) -> Void = { _ in }
    )
        throws -> Monitor
    {
        let monitor = Fixture.monitor(rules: allRules, configure)
        let loaded = try StateRows.load(from: store, configuration: monitor.configuration, logger: logger)
        monitor.install(loaded.state, for: 0)
        return monitor
    }

    @Test func flushedState_loadsBackWithTheSameStatistics_dedupe_andRules() throws {
        let store = try Self.store()
        let monitor = Self.monitor(backedBy: store)
        Self.feed(monitor, PartitionCheckpointTests.history)
        var chunks = DedupeChunks()
        try Self.flush(monitor, into: store, chunks: &chunks)

        let copy = try Self.restored(from: store)
        let now = Fixture.at(10)
        #expect(copy.snapshot(now: now) == monitor.snapshot(now: now))
        #expect(copy.coveredOffsets[0] == 3)
        // A known id is still skipped.
        #expect(copy.record(PartitionCheckpointTests.history[0], source: 0, offset: 4, now: Fixture.at(5)) == nil)
        // The rules continue: the same next transaction raises the same alerts in both.
        let next = Fixture.tx("n-1", account: "acc-v", amount: "900", at: 6, country: "FR")
        let expected = monitor.record(next, source: 0, offset: 4, now: next.timestamp)?.map(\.rule)
        #expect(copy.record(next, source: 0, offset: 4, now: next.timestamp)?.map(\.rule) == expected)
        #expect(expected?.isEmpty == false)
    }

    @Test func secondFlush_writesOnlyWhatChanged() throws {
        let store = try Self.store()
        let monitor = Self.monitor(backedBy: store)
        var chunks = DedupeChunks()
        let first = (0..<50).map { Fixture.tx("a-\($0)", account: "acc-\($0)", at: Double($0)) }
        Self.feed(monitor, first)
        try Self.flush(monitor, into: store, chunks: &chunks)
        Self.feed(monitor, [Fixture.tx("b-1", account: "acc-7", at: 51)], from: 50)
        let rows = try Self.flush(monitor, into: store, chunks: &chunks)
        let accounts = rows.filter { $0.key.starts(with: Array("a/".utf8)) }
        #expect(accounts.map(\.key) == [ChangelogKey.account("acc-7").bytes])
        #expect(rows.last?.key == ChangelogKey.meta.bytes)
        #expect(rows.allSatisfy { ($0.value?.count ?? 0) < StateChangelog.maxRecordBytes })
        #expect(monitor.takeChanges(of: 0) == nil, "nothing applied since the flush")
    }

    @Test func accountsBeyondTheBudget_areReadBackFromTheStore_andKeepTheirRules() throws {
        let store = try Self.store()
        let monitor = Self.monitor(backedBy: store, rules: [.velocity], accounts: 2) { $0.rules.velocity.count = 3 }
        var chunks = DedupeChunks()
        // Two of acc-a's three transactions, then two other accounts push it out of memory.
        Self.feed(
            monitor,
            [
                Fixture.tx("v-1", account: "acc-a", at: 1), Fixture.tx("v-2", account: "acc-a", at: 2),
                Fixture.tx("o-1", account: "acc-b", at: 3), Fixture.tx("o-2", account: "acc-c", at: 4),
            ]
        )
        try Self.flush(monitor, into: store, chunks: &chunks)
        #expect(monitor.counters.accountsTracked == 2)
        let third = Fixture.tx("v-3", account: "acc-a", at: 5)
        let alerts = monitor.record(third, source: 0, offset: 4, now: third.timestamp)
        #expect(alerts?.map(\.rule) == [.velocity], "acc-a's two earlier transactions came back from disk")
        #expect(monitor.counters.accountsLoaded == 1)
    }

    @Test func aConsumerBatch_readsItsEvictedAccountsBackTogether_andKeepsTheirRules() throws {
        let store = try Self.store()
        let monitor = Self.monitor(backedBy: store, rules: [.velocity], accounts: 2) { $0.rules.velocity.count = 3 }
        var chunks = DedupeChunks()
        // acc-a and acc-b each have two transactions, then two other accounts push both out of memory.
        let earlier = ["acc-a", "acc-a", "acc-b", "acc-b", "acc-c", "acc-d"].enumerated().map { index, account in
            Fixture.tx("e-\(index)", account: account, at: Double(index + 1))
        }
        Self.feed(monitor, earlier)
        try Self.flush(monitor, into: store, chunks: &chunks)
        // One batch: both evicted accounts (read in one store transaction) and one never stored.
        let batch = [
            Fixture.tx("a-3", account: "acc-a", at: 7), Fixture.tx("b-3", account: "acc-b", at: 8),
            Fixture.tx("n-1", account: "acc-new", at: 9),
        ]
        let alerts = monitor.record(
            batch: batch.enumerated().map { (transaction: $1, partition: 0, offset: Int64(6 + $0)) },
            now: Date(timeIntervalSince1970: 10)
        )
        #expect(alerts.map { $0?.map(\.rule) } == [[.velocity], [.velocity], []])
        #expect(monitor.counters.accountsLoaded == 2)
    }

    @Test func evictedBeforeAFlush_isStillRemembered() throws {
        let store = try Self.store()
        let monitor = Self.monitor(backedBy: store, rules: [.velocity], accounts: 1) { $0.rules.velocity.count = 3 }
        Self.feed(
            monitor,
            [
                Fixture.tx("v-1", account: "acc-a", at: 1), Fixture.tx("v-2", account: "acc-a", at: 2),
                Fixture.tx("o-1", account: "acc-b", at: 3), Fixture.tx("v-3", account: "acc-a", at: 4),
            ]
        )
        var chunks = DedupeChunks()
        let rows = try Self.flush(monitor, into: store, chunks: &chunks)
        #expect(monitor.counters.alertsByRuleAndSeverity.values.reduce(0, +) == 1)
        #expect(rows.contains { $0.key == ChangelogKey.account("acc-a").bytes })
        #expect(rows.contains { $0.key == ChangelogKey.account("acc-b").bytes })
    }

    @Test func manyChangedAccountsEvictedBeforeAFlush_goToTheStore_andAreFlushedOnce() throws {
        let store = try Self.store()
        let monitor = Self.monitor(backedBy: store, rules: [.velocity], accounts: 10) { $0.rules.velocity.count = 3 }
        let first = (0..<400).map { Fixture.tx("f-\($0)", account: "acc-\($0)", at: Double($0) / 100) }
        Self.feed(monitor, first)
        #expect(store.pendingCount >= 256, "evicted changed accounts went to the store before the flush")
        // Read back from the pending rows: acc-0 has one transaction, so two more make a burst.
        Self.feed(
            monitor,
            [Fixture.tx("s-1", account: "acc-0", at: 5), Fixture.tx("s-2", account: "acc-0", at: 6)],
            from: 400
        )
        #expect(monitor.counters.alertsByRuleAndSeverity.values.reduce(0, +) == 1)
        var chunks = DedupeChunks()
        try Self.flush(monitor, into: store, chunks: &chunks)
        #expect(store.pendingCount == 0)
        let accounts = try store.unconfirmedRows().filter { $0.key.starts(with: Array("a/".utf8)) }
        #expect(accounts.count == 400)
    }

    @Test func unconfirmedRows_areSentAgain_untilConfirmed() throws {
        let store = try Self.store()
        let first = try store.commit(flush: [(Array("a/x".utf8), [1]), (ChangelogKey.meta.bytes, [9])])
        let second = try store.commit(flush: [(Array("a/y".utf8), [2]), (Array("d/1".utf8), nil)])
        #expect(try store.unconfirmedRows().count == 4)
        try store.confirm(seq: first, changelogOffset: 10)
        #expect(try store.unconfirmedRows().map(\.key) == [Array("a/y".utf8), Array("d/1".utf8)])
        try store.confirm(seq: second, changelogOffset: 12)
        #expect(try store.unconfirmedRows().isEmpty)
        #expect(store.local.changelogOffset == 12)
        #expect(try store.count() == 3, "the confirmed tombstone is gone")
    }

    @Test func replay_skipsItsOwnFlushes_andTakesAnotherWritersAsNewer() throws {
        let store = try Self.store()
        let own = try store.commit(flush: [(Array("a/x".utf8), [2]), (ChangelogKey.meta.bytes, [0])])
        // The changelog holds this store's own flush (older value of a/x): already here, dropped.
        try store.stageReplayed(key: Array("a/x".utf8), value: [1])
        try store.commitReplayed(metaKey: ChangelogKey.meta.bytes, meta: [0], changelogOffset: 5, ownFlush: own)
        #expect(try store.value(for: Array("a/x".utf8)) == [2])
        // Another writer's flush: applied, and this store's unconfirmed rows are not sent any more.
        try store.stageReplayed(key: Array("a/x".utf8), value: [3])
        try store.stageReplayed(key: Array("a/z".utf8), value: [4])
        try store.commitReplayed(metaKey: ChangelogKey.meta.bytes, meta: [7], changelogOffset: 9, ownFlush: nil)
        #expect(try store.value(for: Array("a/x".utf8)) == [3])
        #expect(try store.value(for: Array("a/z".utf8)) == [4])
        #expect(try store.unconfirmedRows().isEmpty)
        // A group without its meta record never lands.
        try store.stageReplayed(key: Array("a/q".utf8), value: [5])
        try store.discardStaged()
        #expect(try store.value(for: Array("a/q".utf8)) == nil)
        #expect(store.local.changelogOffset == 9)
    }

    @Test func reopenedStore_keepsItsRowsAndBookkeeping() throws {
        let name = UUID().uuidString
        var store = try Self.store(name)
        let seq = try store.commit(flush: [(Array("a/x".utf8), [1])])
        try store.confirm(seq: seq, changelogOffset: 3)
        let id = store.storeID
        store.close()
        store = try Self.store(name)
        #expect(store.local.seq == seq && store.local.confirmedSeq == seq && store.local.changelogOffset == 3)
        #expect(store.storeID == id)
        #expect(try store.value(for: Array("a/x".utf8)) == [1])
        try store.reset(identity: "other")
        #expect(store.storeID != id, "a reset store does not mistake its old flushes for its own")
        #expect(try store.value(for: Array("a/x".utf8)) == nil)
    }

    @Test func changelogKeys_roundTrip() {
        let keys: [ChangelogKey] = [
            .account("acc-1/with/slashes"), .dedupeChunk(0xABC),
            .bucket(lengthMilliseconds: 60_000, bucketCount: 60, slot: 7),
            .meta,
        ]
        for key in keys { #expect(ChangelogKey(key.bytes) == key) }
        #expect(ChangelogKey(Array("zz".utf8)) == nil)
    }
}
