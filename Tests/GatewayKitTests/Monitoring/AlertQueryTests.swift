import Foundation
import Testing

@testable import GatewayKit

@Suite struct AlertQueryTests {
    private func problems(_ items: [(name: String, value: String)]) -> [FieldError] {
        guard case .failure(let failure) = AlertQuery.parse(items) else { return [] }
        return failure.problems
    }

    @Test func noParameters_givesTheDefaults() throws {
        let query = try AlertQuery.parse([]).get()
        #expect(query == AlertQuery())
        #expect(query.limit == 100)
    }

    @Test func validParameters_areParsed() throws {
        let cursor = AlertCursor(detectedAt: Fixture.at(1.5), sequence: 42)
        let query = try AlertQuery.parse([
            ("rule", "country_hop"), ("severity", "high"), ("account_id", "acc-7"),
            ("since", "2023-11-14T22:13:20Z"), ("limit", "1000"), ("cursor", cursor.encoded),
        ]).get()
        #expect(
            query
                == AlertQuery(
                    rule: .countryHop,
                    severity: .high,
                    accountId: "acc-7",
                    since: Fixture.start,
                    limit: 1000,
                    cursor: cursor
                )
        )
    }

    @Test func badValues_areEachReportedWithTheirField() {
        let reported = problems([
            ("rule", "fast"), ("severity", "urgent"), ("since", "yesterday"), ("limit", "0"),
            ("cursor", "not-a-cursor"), ("account_id", ""), ("colour", "red"),
        ])
        #expect(reported.map(\.field) == ["rule", "severity", "since", "limit", "cursor", "account_id", "colour"])
        #expect(reported.allSatisfy { !$0.message.isEmpty })
    }

    /// Found by schemathesis (negative data): an account_id no transaction can have got 200 and
    /// an empty page, where the contract says it is not a valid value.
    @Test func accountID_followsTheTransactionsIdentifierRule() {
        for bad in ["", "acc 42", "acc/42", "é", String(repeating: "a", count: 65)] {
            #expect(problems([("account_id", bad)]).map(\.field) == ["account_id"], "\(bad)")
        }
        #expect(problems([("account_id", "acc-42.x:y_z")]).isEmpty)
        #expect(problems([("account_id", String(repeating: "a", count: 64))]).isEmpty)
    }

    @Test func limit_mustBeAnIntegerFrom1To1000() {
        for bad in ["0", "1001", "-1", "ten", "1.5", ""] {
            #expect(problems([("limit", bad)]).map(\.field) == ["limit"])
        }
        #expect(problems([("limit", "1")]).isEmpty)
    }

    @Test func repeatedParameter_isReported() {
        #expect(
            problems([("rule", "velocity"), ("rule", "high_amount")]) == [
                FieldError(field: "rule", message: "must appear at most once")
            ]
        )
    }

    @Test func cursor_roundTripsExactly() {
        let cursor = AlertCursor(
            detectedAt: Date(timeIntervalSinceReferenceDate: 722_000_000.123_456_7),
            sequence: .max
        )
        #expect(AlertCursor(encoded: cursor.encoded) == cursor)
        #expect(cursor.encoded.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
    }
}
