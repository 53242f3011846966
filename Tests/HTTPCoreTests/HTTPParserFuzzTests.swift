import Testing

@testable import HTTPCore

@Suite("HTTPParser robustness")
struct HTTPParserFuzzTests {
    /// Fragments that steer framing, so that mutations reach the body and chunk states often.
    static let snippets: [[UInt8]] = [
        "\r\n", "Transfer-Encoding: chunked\r\n", "Content-Length: 5\r\n", "0\r\n\r\n", "5\r\nhello\r\n",
        "Host: x\r\n", "HTTP/1.0", " ",
    ].map { Array($0.utf8) }

    /// Seeded mutations of valid requests: the parser must never trap, must always reach a verdict
    /// or ask for more, and must reach the same verdict whether the bytes come at once or one by one.
    @Test func mutatedRequests_neverCrash_andParseTheSameInAnySplit() {
        var random = RequestIDGenerator(seed: 0x5EED)
        let seeds = HTTPParserTests.validInputs.map { Array($0.utf8) }
        let alphabet: [UInt8] = Array("\r\n :;,0123456789abcdefABCDEF/?#%\t\u{0}\u{7F}\u{80}\u{FF}".utf8)
        for iteration in 0..<1500 {
            var bytes = seeds[iteration % seeds.count]
            let mutations = 1 + Int(random.nextUInt64() % 4)
            for _ in 0..<mutations {
                let position = Int(random.nextUInt64() % UInt64(bytes.count))
                let byte = alphabet[Int(random.nextUInt64() % UInt64(alphabet.count))]
                switch random.nextUInt64() % 4 {
                case 0: bytes[position] = byte
                case 1: bytes.insert(byte, at: position)
                case 2:
                    let snippet = Self.snippets[Int(random.nextUInt64() % UInt64(Self.snippets.count))]
                    bytes.insert(contentsOf: snippet, at: position)
                default: bytes.remove(at: position)
                }
            }
            let whole = parse([bytes]).filter { $0 != .continueExpected }
            let split = Int(random.nextUInt64() % UInt64(bytes.count + 1))
            let twoParts = parse([Array(bytes[..<split]), Array(bytes[split...])]).filter { $0 != .continueExpected }
            let byteByByte = parse(bytes.map { [$0] }).filter { $0 != .continueExpected }
            let text = String(decoding: bytes, as: UTF8.self).debugDescription
            #expect(twoParts == whole, "iteration \(iteration): \(text)")
            #expect(byteByByte == whole, "iteration \(iteration)")
        }
    }

    @Test func randomBytes_neverCrash_andStopAtTheFirstFailure() {
        var random = RequestIDGenerator(seed: 42)
        for _ in 0..<500 {
            let count = Int(random.nextUInt64() % 300)
            let bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: random.nextUInt64()) }
            let outcomes = parse([bytes])
            // A failure, if any, ends the parse: nothing is reported after it.
            let failures = outcomes.indices.filter { if case .failure = outcomes[$0] { true } else { false } }
            #expect(failures.isEmpty || failures == [outcomes.count - 1])
        }
    }
}
