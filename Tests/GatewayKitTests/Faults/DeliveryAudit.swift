import Foundation
import HTTPCore
import KafkaBridge
import TestSupport
import Testing

/// What the clients were told, held against what the topic holds after a run with faults:
/// every request answered in time with 202 or 503 + Retry-After; every acknowledged transaction in
/// the topic exactly once, where its 202 said; no transaction twice; and each account's
/// acknowledged records in the topic in the order their 202s were given.
struct DeliveryAudit {
    /// A 202's record: the transaction id and where the answer said it is.
    struct Acknowledged: Equatable {
        let id: String
        let partition: Int
        let offset: Int
    }

    /// A record read back from the topic.
    struct Stored {
        let partition: Int
        let offset: Int
        let key: String
        let id: String
    }

    let sent: [ClientFleet.Sent]
    /// In the order the gateway gave the 202s.
    let acknowledged: [Acknowledged]
    let stored: [Stored]

    init(gateway: GatewayOnEmbeddedCluster, sent: [ClientFleet.Sent]) throws {
        self.sent = sent
        acknowledged = try gateway.answersInOrder.filter { $0.status == 202 }.map(Self.acknowledged)
        stored = try Self.readTopic(gateway.cluster)
    }

    /// Every request answered within `bound`, with 202 or a 503 problem carrying Retry-After.
    func expectEveryAnswerInTime(bound: Duration) {
        let hung = sent.filter { $0.status == nil }
        #expect(hung.isEmpty, "no answer within \(bound) for \(hung.map(\.id))")
        let slowest = sent.map(\.elapsed).max() ?? .zero
        #expect(slowest <= bound, "slowest answer \(slowest)")
        let other = sent.filter { $0.status != nil && $0.status != 202 && $0.status != 503 }
        #expect(other.isEmpty, "statuses other than 202/503: \(other.map { "\($0.id): \($0.status ?? 0)" })")
        let bare = sent.filter {
            $0.status == 503 && ($0.retryAfter == nil || $0.contentType != "application/problem+json")
        }
        #expect(bare.isEmpty, "503 without Retry-After or problem body: \(bare.map(\.id))")
    }

    /// Exactly once, where the 202 said, in 202 order per account; nothing twice, nothing foreign.
    func expectExactlyOnceInOrder() {
        #expect(
            acknowledged.count == sent.filter { $0.status == 202 }.count,
            "202s logged by the gateway and seen by clients differ"
        )
        let byID = Dictionary(grouping: stored, by: \.id)
        let twice = byID.filter { $0.value.count > 1 }.keys.sorted()
        #expect(twice.isEmpty, "transactions stored more than once: \(twice)")
        let sentIDs = Set(sent.map(\.id))
        let foreign = stored.filter { !sentIDs.contains($0.id) }.map(\.id)
        #expect(foreign.isEmpty, "records no client sent: \(foreign)")
        for record in acknowledged {
            let copies = byID[record.id] ?? []
            #expect(
                copies.count == 1 && copies[0].partition == record.partition && copies[0].offset == record.offset,
                "acknowledged \(record) but the topic holds \(copies); at its place: \(stored.filter { $0.partition == record.partition && $0.offset == record.offset })"
            )
        }
        expectAccountOrder()
    }

    /// Per account (one key, one partition): the acknowledged records in offset order are the
    /// 202s in the order they were given.
    private func expectAccountOrder() {
        let acknowledgedIDs = Set(acknowledged.map(\.id))
        let accountOf = Dictionary(sent.map { ($0.id, $0.account) }, uniquingKeysWith: { first, _ in first })
        let inTopic = Dictionary(grouping: stored.filter { acknowledgedIDs.contains($0.id) }, by: \.key)
            .mapValues { $0.sorted { ($0.partition, $0.offset) < ($1.partition, $1.offset) }.map(\.id) }
        let inAnswers = Dictionary(grouping: acknowledged, by: { accountOf[$0.id] ?? "?" }).mapValues { $0.map(\.id) }
        for (account, answered) in inAnswers {
            #expect(
                inTopic[account] == answered,
                "account \(account): topic order \(inTopic[account] ?? []) vs 202 order \(answered)"
            )
        }
    }

    private static func acknowledged(_ response: HTTPResponse) throws -> Acknowledged {
        let json = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] ?? [:]
        guard let id = json["id"] as? String, let partition = json["partition"] as? Int,
            let offset = json["offset"] as? Int
        else {
            throw AuditError.unreadable(String(decoding: response.body, as: UTF8.self))
        }
        return Acknowledged(id: id, partition: partition, offset: offset)
    }

    /// The whole topic with kcat (an independent client), one line per record.
    private static func readTopic(_ cluster: EmbeddedKafkaCluster) throws -> [Stored] {
        let result = try runProcess(
            "/usr/bin/kcat",
            [
                "-b", cluster.bootstrapServers, "-C", "-t", GatewayOnEmbeddedCluster.topic, "-o", "beginning", "-e",
                "-q",
                "-f", "%p %o %k %s\n",
            ],
            timeout: .seconds(15)
        )
        guard !result.timedOut, result.status == 0 else { throw AuditError.kcat(result.stderr) }
        return try result.stdout.split(separator: "\n").map { line in
            let fields = line.split(separator: " ", maxSplits: 3).map(String.init)
            guard fields.count == 4, let partition = Int(fields[0]), let offset = Int(fields[1]),
                let json = try JSONSerialization.jsonObject(with: Data(fields[3].utf8)) as? [String: Any],
                let id = json["id"] as? String
            else { throw AuditError.unreadable(String(line)) }
            return Stored(partition: partition, offset: offset, key: fields[2], id: id)
        }
    }

    enum AuditError: Error {
        case unreadable(String)
        case kcat(String)
    }
}
