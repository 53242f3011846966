import Foundation
import HTTPCore
import Testing

@testable import GatewayKit

/// `POST /transactions` against inputs a hostile client sends to be read two ways: repeated member
/// names, amounts past what a Decimal holds exactly, bodies in a content coding we do not decode.
@Suite struct HostileInputRouteTests {
    static let repeated = TransactionPayload.repeatedMemberMessage

    /// The `errors` of a 422 problem as (field, message) pairs.
    static func fieldErrors(_ response: HTTPResponse) throws -> [FieldError] {
        #expect(response.status == 422)
        #expect(response.headers["Content-Type"] == "application/problem+json")
        let errors = try #require(try response.json()["errors"] as? [[String: Any]])
        return errors.map { FieldError(field: $0["field"] as? String ?? "", message: $0["message"] as? String ?? "") }
    }

    @Test func repeatedAmount_gets422NamingAmount_andProducesNothing() async throws {
        let harness = RouteHarness()
        let response = try #require(await harness.post(sampleTransaction(amount: "1", extra: #","amount":"1000000""#)))
        #expect(try Self.fieldErrors(response) == [FieldError(field: "amount", message: Self.repeated)])
        #expect(harness.producer.produced.isEmpty)
    }

    @Test func repeatedFields_inABatch_failOnlyTheirItem_namingEachField() async throws {
        let harness = RouteHarness()
        let body =
            sampleTransaction(id: "r-1", extra: #","\u0069d":"r-9","metadata":{"k":"a","k":"b"}"#) + "\n"
            + sampleTransaction(id: "r-2")
        let response = try #require(await harness.post(body, contentType: "application/x-ndjson"))
        #expect(response.status == 200)
        let items = try response.jsonArray()
        #expect(items.map { $0["status"] as? Int ?? 0 } == [422, 0])
        let fields = (items[0]["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
        #expect(fields == ["id", "metadata.k"])
        #expect(harness.producer.produced.count == 1)
    }

    @Test(arguments: [
        #""1.00000000000000000000000000000000000000001""#, "1.00000000000000000000000000000000000000001",
        #""123456789012345678901234567890123456789.5""#, "123456789012345678901234567890123456789.5",
    ])
    func amountOfMoreThan38SignificantDigits_gets422NamingAmount(amount: String) async throws {
        let harness = RouteHarness()
        let body = sampleTransaction().replacingOccurrences(of: #""amount":"129.90""#, with: #""amount":\#(amount)"#)
        let response = try #require(await harness.post(body))
        #expect(
            try Self.fieldErrors(response) == [
                FieldError(field: "amount", message: Amount.Problem.tooManySignificantDigits.message)
            ]
        )
        #expect(harness.producer.produced.isEmpty)
    }

    @Test func tooFineAmount_stillGetsItsOwnMessage() async throws {
        let harness = RouteHarness()
        let response = try #require(
            await harness.post(sampleTransaction(amount: "0.00000000000000000000000000000000000000001"))
        )
        #expect(
            try Self.fieldErrors(response) == [
                FieldError(field: "amount", message: Amount.Problem.tooManyFractionDigits.message)
            ]
        )
    }

    /// RFC 9110 §15.5.16: a coding the server does not apply gets 415, with what it accepts in
    /// `Accept-Encoding` (§12.5.3). The body is never read as JSON, even when it happens to be JSON.
    @Test(arguments: [["gzip"], ["GZIP"], ["identity, gzip"], ["br"], ["identity", "deflate"]])
    func contentCodingOtherThanIdentity_gets415_withAcceptEncodingIdentity(codings: [String]) async throws {
        let harness = RouteHarness()
        let response = try #require(
            await harness.post(sampleTransaction(), headers: codings.map { ("Content-Encoding", $0) })
        )
        #expect(response.status == 415)
        #expect(response.headers["Accept-Encoding"] == "identity")
        #expect(response.headers["Content-Type"] == "application/problem+json")
        #expect(try response.json()["title"] as? String == "Unsupported content coding")
        #expect(harness.producer.produced.isEmpty)
    }

    @Test func identityCoding_isPlain() async throws {
        let harness = RouteHarness()
        #expect(
            try #require(await harness.post(sampleTransaction(), headers: [("Content-Encoding", "Identity")])).status
                == 202
        )
        #expect(
            try #require(await harness.post(sampleTransaction(id: "tx-2"), headers: [("Content-Encoding", "")])).status
                == 202
        )
    }
}
