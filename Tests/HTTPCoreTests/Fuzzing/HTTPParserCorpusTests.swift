import TestSupport
import Testing

@testable import HTTPCore

/// The libFuzzer seed corpus of `HTTPParser` (Fuzz/corpus/http_parser), replayed on every test run
/// with the fuzz target's properties (`HTTPParserProperties`), so a seed that once broke the parser
/// stays a test without libFuzzer.
@Suite struct HTTPParserCorpusTests {
    static let seeds = FuzzCorpus.seeds("http_parser")

    @Test func everySeed_keepsTheFuzzProperties() {
        #expect(FuzzCorpus.violations("http_parser", HTTPParserProperties.violation) == [])
    }

    /// The corpus must reach what it is there for: pipelined and chunked requests, and failures.
    @Test func seeds_coverPipeliningChunkingAndFailures() {
        let outcomes = Self.seeds.map { parse([$0.bytes]) }
        let requests = outcomes.map { $0.filter { if case .request = $0 { true } else { false } }.count }
        #expect(requests.contains { $0 >= 3 })
        #expect(
            outcomes.contains {
                $0.contains {
                    if case .request(let r) = $0 { r.headers.contains("Transfer-Encoding: chunked") } else { false }
                }
            }
        )
        #expect(outcomes.filter { if case .failure = $0.last { true } else { false } }.count >= 15)
    }

    /// The properties themselves catch what they claim to: a split that changes the outcome, a
    /// request that does not re-parse the same.
    @Test func properties_writeAcceptedRequestsBackAsTheyWereRead() throws {
        let chunked = Array(
            "POST /t HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nT: v\r\n\r\n".utf8
        )
        guard case .request(let request) = parse([chunked]).first else {
            Issue.record("expected a request")
            return
        }
        let again = HTTPParserProperties.serialized(request)
        #expect(
            String(decoding: again, as: UTF8.self)
                == "POST /t HTTP/1.1\r\nHost:h\r\nTransfer-Encoding:chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
        )
        #expect(HTTPParserProperties.splits(of: chunked).allSatisfy { $0.joined().elementsEqual(chunked) })
    }
}
