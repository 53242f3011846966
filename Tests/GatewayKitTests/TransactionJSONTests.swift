import CoreSupport
import Foundation
import HTTPCore
import Testing

@testable import GatewayKit

/// `TransactionJSONReader` against the Foundation path it replaces
/// (`JSONDecoder().decode(TransactionPayload.self, ...)`).
///
/// For every valid JSON text both must give the same payload. Where they differ it is on purpose
/// and one way only: Foundation checks numbers, string escapes and UTF-8 lazily (only in values it
/// decodes), and accepts trailing commas, so it takes some texts that are not RFC 8259 JSON. The
/// reader rejects all of them (`lenientFoundation_isStrictHere` lists the kinds). The reader never
/// accepts a text Foundation rejects.
struct TransactionJSONTests {
    static func foundation(_ bytes: [UInt8]) -> TransactionPayload? {
        try? JSONDecoder().decode(TransactionPayload.self, from: Data(bytes))
    }

    static func reader(_ bytes: [UInt8]) -> TransactionPayload? {
        try? TransactionJSONReader.payload(from: bytes)
    }

    static func payload(_ json: String) throws -> TransactionPayload {
        try TransactionJSONReader.payload(from: Array(json.utf8))
    }

    // MARK: equivalence on generated documents

    /// Fixed by default so failures reproduce; `JSON_FUZZ_SEED` and `JSON_FUZZ_COUNT` explore further.
    static let seed = ProcessInfo.processInfo.environment["JSON_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x7A5C_0001
    static let count = ProcessInfo.processInfo.environment["JSON_FUZZ_COUNT"].flatMap { Int($0) } ?? 20_000

    @Test func reader_matchesFoundation_onGeneratedDocuments() {
        var fuzzer = TransactionJSONFuzzer(seed: Self.seed)
        var failures: [String] = []
        var counts: [String: Int] = [:]
        for _ in 0..<Self.count {
            let document = fuzzer.document()
            let expected = Self.foundation(document.bytes)
            let actual = Self.reader(document.bytes)
            counts["\(document.validity) foundation:\(expected != nil) reader:\(actual != nil)", default: 0] += 1
            if let failure = PayloadComparison.verdict(document, expected: expected, actual: actual) {
                failures.append("\(failure) \(document.reasons): \(document.text)")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) failures, first: \(failures.prefix(5).joined(separator: "\n"))")
        // The generator must exercise all three outcomes, or the test proves little.
        #expect(counts["valid foundation:true reader:true", default: 0] > Self.count / 2, "\(counts)")
        #expect(counts["invalid foundation:true reader:false", default: 0] > Self.count / 100, "\(counts)")
        #expect(counts["invalid foundation:false reader:false", default: 0] > Self.count / 400, "\(counts)")
    }

    @Test func arrayReader_matchesFoundation_onGeneratedBatches() {
        var fuzzer = TransactionJSONFuzzer(seed: Self.seed + 1)
        var failures: [String] = []
        var accepted = 0
        for _ in 0..<Self.count / 5 {
            let document = fuzzer.arrayDocument()
            let expected = try? JSONDecoder().decode([TransactionPayload].self, from: Data(document.bytes))
            let actual = try? TransactionJSONReader.payloads(fromArray: document.bytes)
            accepted += actual == nil ? 0 : 1
            if let failure = PayloadComparison.verdict(document, expected: expected, actual: actual) {
                failures.append("\(failure) \(document.reasons): \(document.text)")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) failures, first: \(failures.prefix(5).joined(separator: "\n"))")
        #expect(accepted > Self.count / 10)
    }

    @Test func ndjsonLine_slicesReadLikeWholeArrays() throws {
        let body = Array("{\"id\":\"a\",\"amount\":1}\n[1]\n{\"id\":".utf8)
        let lines = body.split(separator: UInt8(ascii: "\n"))
        #expect(try TransactionJSONReader.payload(from: lines[0]).id == "a")
        #expect(try TransactionJSONReader.payload(from: lines[1]).isObject == false)
        #expect(throws: JSONSyntaxError(message: "unexpected end of input", offset: 6)) {
            try TransactionJSONReader.payload(from: lines[2])
        }
    }

    // MARK: documented behaviour

    @Test(arguments: [
        #"{"x":01}"#, #"{"x":1.}"#, #"{"x":-}"#, #"{"amount":01}"#, #"{"x":1,}"#, #"{"x":[1,]}"#,
        #"{"id":"\q"}"#, #"{"x":"\ud800"}"#, #"{"id":"\udc00"}"#, "{\"id\":\"a\tb\"}", "{\"x\":\"\u{1}\"}",
    ])
    func lenientFoundation_isStrictHere(json: String) {
        #expect(Self.foundation(Array(json.utf8)) != nil, "Foundation accepts this today")
        #expect(Self.reader(Array(json.utf8)) == nil)
    }

    @Test func invalidUTF8_isRejected_whereFoundationSaysNotAString() {
        let value: [UInt8] = Array(#"{"id":"a"#.utf8) + [0xFF] + Array(#""}"#.utf8)
        #expect(Self.foundation(value)?.errors == [FieldError(field: "id", message: "must be a string")])
        #expect(Self.reader(value) == nil)
        let key: [UInt8] = Array(#"{"i"#.utf8) + [0xC0, 0xAF] + Array(#"":1}"#.utf8)
        #expect(Self.foundation(key)?.isObject == false)
        #expect(Self.reader(key) == nil)
    }

    @Test func syntaxErrors_sayWhatAndWhere() {
        let cases: [(String, JSONSyntaxError)] = [
            (#"{"id": "x", "#, JSONSyntaxError(message: "unexpected end of input", offset: 12)),
            (#"{"amount":01}"#, JSONSyntaxError(message: "leading zeros are not allowed", offset: 10)),
            (#"{"a":1,}"#, JSONSyntaxError(message: "trailing comma", offset: 7)),
            (#"{"a" 1}"#, JSONSyntaxError(message: "expected ':' after the key", offset: 5)),
            (#"{"a":"\x"}"#, JSONSyntaxError(message: "invalid escape", offset: 6)),
            (#"{"a":"b"#, JSONSyntaxError(message: "unterminated string", offset: 5)),
            (#"{} {}"#, JSONSyntaxError(message: "unexpected data after the JSON value", offset: 3)),
            (#"{"a":NaN}"#, JSONSyntaxError(message: "unexpected character 'N'", offset: 5)),
            ("", JSONSyntaxError(message: "unexpected end of input", offset: 0)),
        ]
        for (json, expected) in cases {
            #expect(throws: expected, "\(json)") { try Self.payload(json) }
        }
        #expect(JSONSyntaxError(message: "trailing comma", offset: 7).description == "trailing comma at byte 7")
    }

    @Test func nesting_isLimitedLikeFoundation() throws {
        func nested(_ depth: Int) -> [UInt8] {
            Array(
                ("{\"x\":" + String(repeating: "[", count: depth - 1) + String(repeating: "]", count: depth - 1) + "}")
                    .utf8
            )
        }
        #expect(Self.reader(nested(512)) != nil && Self.foundation(nested(512)) != nil)
        #expect(Self.reader(nested(513)) == nil && Self.foundation(nested(513)) == nil)
    }

    static let repeated = TransactionPayload.repeatedMemberMessage

    /// RFC 8259 §4: names SHOULD be unique. Foundation keeps the first value silently (and
    /// JSONSerialization the last); the reader keeps the first and names every repeated field once.
    @Test func repeatedMembers_areFieldErrors_namingEachOnce_firstValueKept() throws {
        let json =
            #"{"id":"first","id":5,"id":"third","x":1,"x":2,"metadata":{"k":"a","k":"b"},"amount":"1","amount":"1000000"}"#
        let payload = try Self.payload(json)
        #expect(payload.id == "first")
        #expect(payload.metadata == ["k": "a"])
        #expect(payload.amount?.description == "1")
        #expect(
            Set(payload.errors) == [
                FieldError(field: "id", message: Self.repeated), FieldError(field: "x", message: "unknown field"),
                FieldError(field: "metadata.k", message: Self.repeated),
                FieldError(field: "amount", message: Self.repeated),
            ]
        )
        #expect(payload.errors.count == 4)
        // Everything else is what Foundation reads.
        PayloadComparison.expectSame(Self.foundation(Array(json.utf8)), payload)
    }

    @Test func repeatedMembers_spelledDifferently_areStillRepeats() throws {
        let payload = try Self.payload(
            #"{"amount":1,"\u0061mount":2,"metadata":{"\u00e9":"1","e\u0301":"2","x":1,"x":"y"}}"#
        )
        #expect(Set(payload.errors.map(\.field)) == ["amount", "metadata.é", "metadata.x", "metadata"])
        #expect(payload.errors.filter { $0.message == Self.repeated }.count == 3)
        #expect(payload.amount?.description == "1")
    }

    @Test func uniqueMembers_reportNoRepeats_andNestedUnknownObjectsMayRepeat() throws {
        let payload = try Self.payload(sampleTransaction(extra: #","metadata":{"a":"1","b":"2"}"#))
        #expect(payload.errors.isEmpty)
        // Inside an unknown field only the syntax is read: the field itself is the error.
        let unknown = try Self.payload(#"{"extra":{"k":1,"k":2}}"#)
        #expect(unknown.errors == [FieldError(field: "extra", message: "unknown field")])
    }

    /// Foundation's Decimal keeps 38 digits and rounds the rest: "1.000…0001" became exactly 1.
    @Test(arguments: [
        "1.00000000000000000000000000000000000000001", "0.10000000000000000000000000000000000000000000009",
        "12.340000000000000000000000000000000000000001", "123456789012345678901234567890123456789.5",
        "1.00000000000000000000000000000000000000", "100000000000000000000000000000000000000000e-41",
    ])
    func amountsOfMoreThan38SignificantDigits_areRefused_asNumberAndAsString(amount: String) throws {
        let refused = FieldError(field: "amount", message: Amount.Problem.tooManySignificantDigits.message)
        let texts = amount.contains("e") ? [amount] : [amount, "\"\(amount)\""]
        for text in texts {
            let payload = try Self.payload(#"{"amount":\#(text)}"#)
            #expect(payload.amount == nil, "\(text)")
            #expect(payload.errors == [refused], "\(text)")
        }
    }

    @Test func foundationsDecimal_roundsPast38Digits_whichIsWhyTheyAreRefused() throws {
        #expect(Decimal(string: "1.00000000000000000000000000000000000000001") == 1)
        let rounded = try #require(
            Self.foundation(Array(#"{"amount":1.00000000000000000000000000000000000000001}"#.utf8))
        )
        #expect(rounded.amount?.description == "1")
    }

    @Test(
        arguments: [
            // one significant digit: exact, too fine
            ("0.00000000000000000000000000000000000000001", Amount.Problem.tooManyFractionDigits),
            ("\"0.00000000000000000000000000000000000000001\"", .tooManyFractionDigits),
            ("1.0000000000000000000000000000000000000", nil),  // 38 digits: held exactly, and its value is 1
            ("\"1.0000000000000000000000000000000000000\"", nil),
            ("\"0000000000000000000000000000000000000000012.5\"", nil),  // leading zeros carry nothing
        ] as [(String, Amount.Problem?)]
    )
    func upTo38SignificantDigits_areReadExactly(amount: String, problem: Amount.Problem?) throws {
        let payload = try Self.payload(#"{"amount":\#(amount)}"#)
        #expect(payload.errors == (problem.map { [FieldError(field: "amount", message: $0.message)] } ?? []))
        if problem == nil {
            #expect(payload.amount?.value == Decimal(string: amount.filter { $0 != "\"" }))
        }
    }

    /// A 1 MiB body can carry ~100k keys: each must cost O(1), not a search of earlier errors.
    @Test(.timeLimit(.minutes(1))) func manyUnknownKeys_costLinearTime() throws {
        let members = (0..<100_000).map { #""k\#($0)":0"# }.joined(separator: ",")
        let payload = try Self.payload("{" + members + #","k0":1}"#)
        #expect(payload.errors.count == 100_000)
    }

    @Test func escapedKeys_andUnicode_areDecoded() throws {
        let payload = try Self.payload(
            #"{"\u0069d":"\u00e9\ud83d\ude00\n\/","acc\u006Funt_id":"a\"b","metadata":{"\u00e9":"\\"}}"#
        )
        #expect(payload.id == "é😀\n/")
        #expect(payload.accountId == "a\"b")
        #expect(payload.metadata == ["é": "\\"])
        #expect(payload.errors.isEmpty)
    }

    @Test func nullMeansAbsent_exceptForAmount() throws {
        let payload = try Self.payload(#"{"id":null,"metadata":null,"amount":null}"#)
        #expect(payload.id == nil && payload.metadata == nil)
        #expect(payload.errors == [FieldError(field: "amount", message: Amount.Problem.notANumber.message)])
    }

    @Test func byteOrderMark_isSkipped() throws {
        #expect(try TransactionJSONReader.payload(from: [0xEF, 0xBB, 0xBF] + Array(#"{"id":"a"}"#.utf8)).id == "a")
    }

    @Test(arguments: [
        "0.1", "\"0.1\"", "999999999999999.9999", "\"999999999999999.9999\"", "129.90", "1E2", "\"00.50\"", "12.3450",
    ])
    func amounts_stayExact_andMatchFoundation(amount: String) throws {
        let json = #"{"amount":\#(amount)}"#
        let payload = try Self.payload(json)
        let expected = try #require(Self.foundation(Array(json.utf8))?.amount)
        #expect(payload.amount?.value == expected.value)
        #expect(payload.amount?.description == expected.description)
        #expect(payload.amount.map(PayloadComparison.bits) == PayloadComparison.bits(expected))
    }

    @Test func wordScan_findsTheFirstSpecialByte() {
        func isSpecial(_ byte: UInt8) -> Bool { byte < 0x20 || byte >= 0x80 || byte == 0x22 || byte == 0x5C }
        /// Byte offset of the first special byte of a little-endian word, 8 when there is none.
        func reference(_ word: UInt64) -> Int {
            (0..<8).first { isSpecial(UInt8(truncatingIfNeeded: word >> ($0 * 8))) } ?? 8
        }
        func scanned(_ word: UInt64) -> Int {
            TransactionJSONReader.Cursor.specialBytes(in: word).trailingZeroBitCount / 8
        }
        let filler = UInt64(0x6161_6161_6161_6161)
        for byte in UInt8.min...UInt8.max {
            for position in 0..<8 {
                let word = filler & ~(0xFF << (position * 8)) | UInt64(byte) << (position * 8)
                #expect(scanned(word) == (isSpecial(byte) ? position : 8), "byte \(byte) at \(position)")
            }
        }
        var random = SplitMix64(seed: 9)
        for _ in 0..<100_000 {
            // Mostly printable words, with several special bytes at times, so borrows are exercised.
            var word: UInt64 = 0
            for _ in 0..<8 {
                word =
                    word << 8
                    | UInt64(
                        Int.random(in: 0..<6, using: &random) == 0
                            ? UInt8.random(in: 0...255, using: &random) : UInt8.random(in: 0x20...0x7E, using: &random)
                    )
            }
            #expect(scanned(word) == reference(word), "\(String(word, radix: 16))")
        }
    }

    @Test func nonObjectElements_getTheRootError() throws {
        let payloads = try TransactionJSONReader.payloads(
            fromArray: Array(#" [ {"id":"a"}, 42, "x", [ ], null ] "#.utf8)
        )
        #expect(payloads.map(\.isObject) == [true, false, false, false, false])
        #expect(payloads[1].errors == [FieldError(field: "$", message: "must be a JSON object")])
        #expect(try TransactionJSONReader.payloads(fromArray: Array("[]".utf8)).isEmpty)
        #expect(throws: JSONSyntaxError.self) { try TransactionJSONReader.payloads(fromArray: Array("{}".utf8)) }
    }
}

/// How a reader result is judged against Foundation's for a generated text (the comparison itself
/// is in PayloadComparison.swift, shared with the libFuzzer target).
extension PayloadComparison {
    /// Nil when the pair is acceptable, else what is wrong; the repeated fields the reader reports
    /// must be the ones the generator wrote.
    static func verdict<T>(_ document: TransactionJSONFuzzer.Document, expected: T?, actual: T?) -> String? {
        let validity = document.validity
        if expected == nil, actual != nil { return "reader accepts what Foundation rejects" }
        switch validity {
        case .valid where actual == nil: return "reader rejects valid JSON"
        case .invalid where actual != nil: return "reader accepts invalid JSON"
        default: break
        }
        guard let expected, let actual else { return nil }
        var differences: [String]
        let repeated: [Set<String>]
        if let expected = expected as? TransactionPayload, let actual = actual as? TransactionPayload {
            differences = Self.differences(expected, actual)
            repeated = [repeatedFields(actual)]
        } else if let expected = expected as? [TransactionPayload], let actual = actual as? [TransactionPayload] {
            differences =
                expected.count == actual.count ? zip(expected, actual).flatMap { Self.differences($0, $1) } : ["count"]
            repeated = actual.map(repeatedFields)
        } else {
            differences = ["type"]
            repeated = []
        }
        if validity != .unknown, repeated != document.repeatedFields {
            differences.append("repeated fields \(repeated) vs written \(document.repeatedFields)")
        }
        return differences.isEmpty ? nil : "differs in \(differences)"
    }

    static func expectSame(_ expected: TransactionPayload?, _ actual: TransactionPayload) {
        guard let expected else {
            Issue.record("Foundation rejected the text")
            return
        }
        #expect(differences(expected, actual).isEmpty)
    }
}
