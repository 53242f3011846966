/// The key of a changelog record (and of a row of a `PartitionStore`, which mirrors it). Keys are
/// chosen so that log compaction keeps exactly the newest state of each part:
/// - `a/<account id>`: one account's rule state (`AccountState`);
/// - `d/<chunk number, 16 hex digits>`: a chunk of dedupe ids with the time each was applied,
///   deleted (a tombstone) once every id in it has left the window;
/// - `s/<window length ms>x<bucket count>/<ring slot>`: one time bucket of one statistics window
///   (a slot is reused when the ring wraps, so the key set stays bounded);
/// - `m`: the partition's meta record (`PartitionMeta`): the input offset covered, the statistics'
///   totals and names. Written last in each flush: a group of records ending in `m` is a flush.
enum ChangelogKey: Equatable, Hashable, Sendable {
    case account(String)
    case dedupeChunk(UInt64)
    case bucket(lengthMilliseconds: Int64, bucketCount: Int, slot: Int)
    case meta

    static let accountPrefix = "a/"
    static let dedupePrefix = "d/"
    static let bucketPrefix = "s/"

    var bytes: [UInt8] {
        switch self {
        case .account(let id): Array((Self.accountPrefix + id).utf8)
        case .dedupeChunk(let number): Array((Self.dedupePrefix + Self.hex(number)).utf8)
        case .bucket(let length, let count, let slot): Array("\(Self.bucketPrefix)\(length)x\(count)/\(slot)".utf8)
        case .meta: [UInt8(ascii: "m")]
        }
    }

    /// Nil for a key this version does not know (skipped by readers, so that a newer writer's
    /// extra parts do not stop a restore).
    init?(_ bytes: [UInt8]) {
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        if text == "m" {
            self = .meta
        } else if text.hasPrefix(Self.accountPrefix) {
            self = .account(String(text.dropFirst(Self.accountPrefix.count)))
        } else if text.hasPrefix(Self.dedupePrefix), let n = UInt64(text.dropFirst(Self.dedupePrefix.count), radix: 16)
        {
            self = .dedupeChunk(n)
        } else if text.hasPrefix(Self.bucketPrefix) {
            let parts = text.dropFirst(Self.bucketPrefix.count).split(separator: "/")
            let shape = parts.first?.split(separator: "x") ?? []
            guard parts.count == 2, shape.count == 2, let length = Int64(shape[0]), let count = Int(shape[1]),
                let slot = Int(parts[1])
            else { return nil }
            self = .bucket(lengthMilliseconds: length, bucketCount: count, slot: slot)
        } else {
            return nil
        }
    }

    /// Whether a raw key is the meta record's, without decoding it (the follower skips the rest fast).
    static func isMeta(_ bytes: [UInt8]?) -> Bool { bytes == [UInt8(ascii: "m")] }

    /// Whether a raw key is a statistics bucket's.
    static func isBucket(_ bytes: [UInt8]?) -> Bool {
        guard let bytes, bytes.count > 2 else { return false }
        return bytes[0] == UInt8(ascii: "s") && bytes[1] == UInt8(ascii: "/")
    }

    private static func hex(_ n: UInt64) -> String {
        let digits = String(n, radix: 16)
        return String(repeating: "0", count: max(0, 16 - digits.count)) + digits
    }
}
