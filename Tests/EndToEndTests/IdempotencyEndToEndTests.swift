import Foundation
import Testing

/// `Idempotency-Key` against the real gateway and its embedded cluster: a retried POST leaves one
/// record in Kafka, read back with kcat. The rest of the behaviour is covered in process
/// (GatewayKitTests' IdempotencyTests).
@Suite(.serialized, .timeLimit(.minutes(3)))
struct IdempotencyEndToEndTests {
    @Test func retriedPostWithTheSameKey_leavesExactlyOneRecordInKafka() async throws {
        let gateway = try GatewayProcess.start(["--consumers", "0"])
        defer { gateway.stop() }
        let url = "\(gateway.baseURL)/transactions"
        let key = ["Idempotency-Key": "\"e2e-6894a57f9324\""]
        let first = try await HTTPClient.postJSON(
            url,
            sampleTransaction(id: "idem-1", account: "acc-idem"),
            headers: key
        )
        let retry = try await HTTPClient.postJSON(
            url,
            sampleTransaction(id: "idem-1", account: "acc-idem"),
            headers: key
        )
        #expect(first.status == 202, "\(first.text)")
        #expect(retry.status == 202)
        #expect(retry.header("Idempotent-Replayed") == "true")
        #expect(retry.text == first.text)
        // A later record of the same account lands on the same partition, right after the first:
        // nothing was produced in between.
        let next = try await HTTPClient.postJSON(url, sampleTransaction(id: "idem-2", account: "acc-idem"))
        let offset = try #require(try first.json()["offset"] as? Int)
        #expect(try next.json()["partition"] as? Int == first.json()["partition"] as? Int)
        #expect(try next.json()["offset"] as? Int == offset + 1)

        let records = try Kcat.consume(bootstrap: gateway.bootstrapServers, topic: "transactions", count: 2)
        #expect(
            records.compactMap { ($0.value.firstMatch(of: /"id":"([^"]+)"/)?.1).map(String.init) } == [
                "idem-1", "idem-2",
            ]
        )
        #expect(records.map(\.offset) == [offset, offset + 1])
    }
}
