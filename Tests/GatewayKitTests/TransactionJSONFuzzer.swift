import CoreSupport
import Foundation

/// Generates transaction-shaped JSON texts, valid and invalid, and knows which is which.
///
/// Valid texts mix every kind of field value (right and wrong types, null, nested unknown
/// fields, duplicates, escapes, raw UTF-8, numbers in all RFC 8259 forms, whitespace anywhere).
/// Invalid ones carry one or more RFC 8259 violations, many of them the kind Foundation only
/// notices when it decodes the value. Mutated texts (a byte cut, added or changed) have unknown
/// validity.
struct TransactionJSONFuzzer {
    enum Validity { case valid, invalid, unknown }

    struct Document {
        let bytes: [UInt8]
        let validity: Validity
        let reasons: [String]
        /// Per top-level value (the document, or each array element): the fields written more than
        /// once (`metadata.<key>` for a metadata key), which the reader must report and Foundation
        /// cannot see. Meaningless once a mutation touched the text.
        let repeatedFields: [Set<String>]
        /// For failure messages: the text with non-printable bytes escaped.
        var text: String {
            bytes.map { (0x20..<0x7F).contains($0) ? String(UnicodeScalar($0)) : "<\(String($0, radix: 16))>" }.joined()
        }
    }

    private var random: SplitMix64
    private var out: [UInt8] = []
    private var validity = Validity.valid
    /// What made the current document invalid, for failure messages.
    private var reasons: [String] = []
    private var repeatedFields: [Set<String>] = []
    /// The transaction object being written: its member names so far and the ones repeated.
    private var names: [String] = []
    private var repeated: Set<String> = []

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    /// One transaction (or, sometimes, another JSON value).
    mutating func document() -> Document {
        start()
        space()
        if chance(0.9) { transaction() } else { otherValue() }
        space()
        return finish()
    }

    /// A JSON array of transactions and other values.
    mutating func arrayDocument() -> Document {
        start()
        space()
        list(count: Int.random(in: 0...4, using: &random), open: "[", close: "]") { fuzzer in
            if fuzzer.chance(0.8) { fuzzer.transaction() } else { fuzzer.otherValue() }
        }
        space()
        return finish()
    }

    private mutating func start() {
        out = []
        validity = .valid
        reasons = []
        repeatedFields = []
    }

    private mutating func finish() -> Document {
        if chance(0.05) { mutate() }
        return Document(bytes: out, validity: validity, reasons: reasons, repeatedFields: repeatedFields)
    }

    /// One random byte cut, added or changed: the result may or may not be JSON.
    private mutating func mutate() {
        guard !out.isEmpty else { return }
        let position = Int.random(in: 0..<out.count, using: &random)
        switch Int.random(in: 0..<4, using: &random) {
        case 0: out.removeSubrange(position...)
        case 1: out.remove(at: position)
        case 2: out.insert(pick(Array("{}[]\",:\\ 0-.e".utf8) + [0x00, 0xFF]), at: position)
        default: out[position] = UInt8.random(in: 0...255, using: &random)
        }
        validity = .unknown
    }

    // MARK: helpers

    private mutating func chance(_ probability: Double) -> Bool {
        Double.random(in: 0..<1, using: &random) < probability
    }

    private mutating func pick<T>(_ choices: [T]) -> T { choices[Int.random(in: 0..<choices.count, using: &random)] }

    private mutating func emit(_ text: String) { out.append(contentsOf: text.utf8) }

    private mutating func invalid(_ text: String) {
        emit(text)
        markInvalid(text)
    }

    private mutating func markInvalid(_ reason: String) {
        validity = .invalid
        reasons.append(reason)
    }

    /// Whitespace between tokens; rarely a character RFC 8259 does not allow there.
    private mutating func space() {
        if chance(0.002) { return invalid(pick(["\u{0C}", "\u{A0}", "\u{0B}"])) }
        guard chance(0.25) else { return }
        for _ in 0..<Int.random(in: 1...3, using: &random) { emit(pick([" ", "\t", "\n", "\r"])) }
    }

    /// `open` items separated by commas `close`, with the occasional structural mistake.
    private mutating func list(count: Int, open: String, close: String, item: (inout TransactionJSONFuzzer) -> Void) {
        emit(open)
        space()
        for index in 0..<count {
            if index > 0 {
                if chance(0.003) {
                    markInvalid("no comma")
                    emit(" ")
                } else {
                    emit(",")
                }
                space()
            }
            item(&self)
            space()
        }
        if count > 0, chance(0.005) { invalid(",") }
        emit(close)
    }

    // MARK: transactions

    private mutating func transaction() {
        let count = Int.random(in: 0...12, using: &random)
        names = []
        repeated = []
        list(count: count, open: "{", close: "}") { $0.member() }
        repeatedFields.append(repeated)
    }

    /// A top-level value that is not a transaction object.
    private mutating func otherValue() {
        value(depth: 2)
        repeatedFields.append([])
    }

    /// A known field (often), an unknown one, or a key already used (duplicate).
    private mutating func member() {
        let known = [
            "id", "account_id", "amount", "currency", "timestamp", "merchant_id", "merchant_category", "country",
            "channel", "metadata",
        ]
        let name = !names.isEmpty && chance(0.08) ? pick(names) : chance(0.8) ? pick(known) : pick(Self.unknownNames)
        // Unknown names are reported as unknown, once, however often they come.
        let isRepeat = names.contains(name)
        if isRepeat, known.contains(name) { repeated.insert(name) }
        names.append(name)
        key(name)
        switch name {
        case "amount": amount()
        case "metadata": metadata(isFirst: !isRepeat)
        case _ where known.contains(name): stringField()
        default: value(depth: 3)
        }
    }

    private mutating func key(_ name: String) {
        if chance(0.05), let first = name.unicodeScalars.first, ("a"..."z").contains(first) {
            // The same key spelled with an escape: must match the field all the same.
            emit("\"" + unicodeEscape(Int(first.value)) + String(name.unicodeScalars.dropFirst()) + "\"")
        } else {
            emit("\"" + name + "\"")
        }
        space()
        if chance(0.003) { markInvalid("no colon") } else { emit(":") }
        space()
    }

    private static let unknownNames = [
        "extra", "ID", "Amount", "", "metadata.k", "é", "e\u{301}", "x y", "account_id ", "\\\"q\\\"", "a\\/b",
        "\\u00e9", "\\ud83d\\ude00",
    ]

    /// A key as the reader decodes it, for the escapes the names above use.
    private static func decoded(_ raw: String) -> String {
        raw.replacingOccurrences(of: "\\\"", with: "\"").replacingOccurrences(of: "\\/", with: "/")
            .replacingOccurrences(of: "\\u00e9", with: "é").replacingOccurrences(of: "\\ud83d\\ude00", with: "😀")
    }

    private mutating func stringField() {
        switch Int.random(in: 0..<10, using: &random) {
        case 0: emit("null")
        case 1: value(depth: 2)
        case 2: emit(pick(["1", "true", "false", "[]", "{}", "-0.5"]))
        case 3: string(length: Int.random(in: 0...12, using: &random))
        default:
            emit(
                "\""
                    + pick([
                        "tx-0001", "acc-42", "BRL", "USD", "BR", "card_present", "pix", "5411", "2026-11-25T16:20:00Z",
                        "m-881", "", "x",
                    ]) + "\""
            )
        }
    }

    private mutating func amount() {
        switch Int.random(in: 0..<12, using: &random) {
        case 0: emit(pick(["null", "true", "[]", "{}", "[1]", "{\"v\":1}"]))
        case 1, 2, 3: number()
        case 4:
            emit(
                pick([
                    "-0", "0.0", "1e400", "-1e400", "1e-200", "1E2", "129.90", "0.1", "999999999999999.9999",
                    "1000000000000000",
                    "123456789012345678901234567890", "1.0000000000000000000000000000000000000000001", "0.00001",
                    "12.3450", "1e-4", "5E+1",
                ])
            )
        case 5:
            emit(
                "\""
                    + pick([
                        "0", "00.10", "1e3", " 12", "12.", ".5", "-1", "+1", "", "1.2.3", "\u{FF11}2",
                        "\\u0031\\u0032.5",
                        "999999999999999.9999", "1000000000000000", "0.00001", "12.3450", "0000000000000000000000012.5",
                        "1.00000000000000000000000000000000000000001", "12 ", "1,5",
                    ]) + "\""
            )
        default:
            emit(
                "\"" + digits(Int.random(in: 1...20, using: &random))
                    + (chance(0.7) ? "." + digits(Int.random(in: 1...7, using: &random)) : "") + "\""
            )
        }
    }

    /// Only the first `metadata` member counts: its repeated keys (equal as Strings, as in the
    /// reader's dictionary) are what the reader reports.
    private mutating func metadata(isFirst: Bool) {
        switch Int.random(in: 0..<10, using: &random) {
        case 0: emit("null")
        case 1: value(depth: 2, uniqueKeys: true)
        default:
            let mixed = chance(0.15)
            var keys: [String] = []
            list(count: Int.random(in: 0...5, using: &random), open: "{", close: "}") { fuzzer in
                let name = fuzzer.pick(["k", "K", "k1", "é", "e\u{301}", "", "a b", "k\\\"", fuzzer.digits(2)])
                if isFirst, keys.contains(Self.decoded(name)) {
                    fuzzer.repeated.insert("metadata." + Self.decoded(name))
                }
                keys.append(Self.decoded(name))
                fuzzer.key(name)
                if mixed, fuzzer.chance(0.4) {
                    fuzzer.value(depth: 1)
                } else {
                    fuzzer.string(length: Int.random(in: 0...8, using: &fuzzer.random))
                }
            }
        }
    }

    // MARK: values

    /// Any JSON value; with `uniqueKeys`, an object never repeats a key (it may stand for `metadata`).
    private mutating func value(depth: Int, uniqueKeys: Bool = false) {
        switch Int.random(in: 0..<(depth > 0 ? 8 : 6), using: &random) {
        case 0, 1: string(length: Int.random(in: 0...10, using: &random))
        case 2, 3: number()
        case 4: literal()
        case 5: emit("null")
        case 6:
            list(count: Int.random(in: 0...4, using: &random), open: "[", close: "]") { $0.value(depth: depth - 1) }
        default:
            var keys: [String] = []
            list(count: Int.random(in: 0...4, using: &random), open: "{", close: "}") { fuzzer in
                var name = fuzzer.pick(Self.unknownNames)
                if uniqueKeys, keys.contains(Self.decoded(name)) { name = "u\(keys.count)" }
                keys.append(Self.decoded(name))
                fuzzer.key(name)
                fuzzer.value(depth: depth - 1)
            }
        }
    }

    private mutating func literal() {
        if chance(0.02) { return invalid(pick(["tru", "nul", "True", "NaN", "Infinity", "falsey", "undefined"])) }
        emit(pick(["true", "false", "null"]))
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, or rarely one of its near misses.
    private mutating func number() {
        if chance(0.04) {
            return invalid(
                pick(["01", "-", "1.", ".5", "1e", "1e+", "+1", "-01.5", "0x10", "1.e3", "00", "-.5", "1E", "2.5e-"])
            )
        }
        var text = chance(0.3) ? "-" : ""
        text +=
            chance(0.3)
            ? "0" : String(Int.random(in: 1...9, using: &random)) + digits(Int.random(in: 0...22, using: &random))
        if chance(0.5) { text += "." + digits(Int.random(in: 1...22, using: &random)) }
        if chance(0.2) {
            text += pick(["e", "E"]) + pick(["", "+", "-"]) + digits(Int.random(in: 1...3, using: &random))
        }
        emit(text)
    }

    /// `\uXXXX`, in upper or lower case hex at random.
    private mutating func unicodeEscape(_ unit: Int) -> String {
        let hex = String(unit, radix: 16, uppercase: chance(0.5))
        return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }

    private mutating func digits(_ count: Int) -> String {
        String((0..<count).map { _ in Character(String(Int.random(in: 0...9, using: &random))) })
    }

    /// A string of plain characters, escapes and raw UTF-8; rarely something RFC 8259 forbids.
    private mutating func string(length: Int) {
        emit("\"")
        for _ in 0..<length { stringPiece() }
        emit("\"")
    }

    private mutating func stringPiece() {
        switch Int.random(in: 0..<20, using: &random) {
        case 0: emit(pick(["\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t"]))
        case 1:
            emit(
                unicodeEscape(
                    pick([
                        0x0000, 0x001F, 0x0041, 0x00E9, 0x2028, 0xFEFF, 0xFFFF,
                        Int.random(in: 0x20...0xD7FF, using: &random),
                    ])
                )
            )
        case 2: emit(pick(["\\ud83d\\ude00", "\\uD834\\uDD1E", "\\udbff\\udfff"]))
        case 3: emit(pick(["é", "€", "😀", "中", "\u{301}", "\u{2028}", "\u{10FFFF}", "ß"]))
        case 4 where chance(0.05):
            let bytes: [UInt8] = pick([
                [0x01], [0x09], [0x0A], [0x1F], [0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x82],
                [0xF5, 0x80, 0x80, 0x80], [0x80],
            ])
            out.append(contentsOf: bytes)
            markInvalid("bytes \(bytes)")
        case 5 where chance(0.05):
            invalid(
                pick(["\\q", "\\x41", "\\u12_", "\\uZZZZ", "\\ud800", "\\udc00", "\\ud800\\u0041", "\\U0041", "\\'"])
            )
        default: emit(String(pick(Array("abcXYZ019 _-.:/'<>{}[],"))))
        }
    }
}
