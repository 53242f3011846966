import Testing

@testable import HTTPCore

func parse(_ text: String, limits: HTTPParser.Limits = testLimits) -> [ParseOutcome] {
    parse([Array(text.utf8)], limits: limits)
}

func firstRequest(_ text: String) throws -> RequestSummary {
    let outcomes = parse(text)
    guard case .request(let summary) = outcomes.first else {
        Issue.record("expected a request, got \(outcomes)")
        throw ClientError.malformed(text)
    }
    return summary
}

@Suite("HTTPParser")
struct HTTPParserTests {
    @Test func methods_areSwiftHTTPTypesMethods_caseSensitive() {
        func method(_ text: String) -> HTTPRequest.Method? {
            var bytes = Array(text.utf8)
            return bytes.withUnsafeMutableBytes { HTTPRequest.Method.parse(UnsafeRawBufferPointer($0)) }
        }
        let common: [HTTPRequest.Method] = [.get, .post, .head, .put, .delete, .options, .patch]
        #expect(common.map { method($0.rawValue) } == common)
        #expect(method("PROPFIND")?.rawValue == "PROPFIND")
        #expect(method("get")?.rawValue == "get")
        #expect(method("get") != HTTPRequest.Method.get)
        #expect(method("GE T") == nil)
        #expect(method("") == nil)
    }

    @Test func validGet_parsesMethodTargetPathQueryAndHeaders() throws {
        let request = try firstRequest("GET /alerts?limit=5&x=a%20b HTTP/1.1\r\nHost: example\r\nAccept: */*\r\n\r\n")
        #expect(request.method == "GET")
        #expect(request.target == "/alerts?limit=5&x=a%20b")
        #expect(request.path == "/alerts")
        #expect(request.query == "limit=5&x=a%20b")
        #expect(request.version == .http1_1)
        #expect(request.headers == ["Host: example", "Accept: */*"])
        #expect(request.body.isEmpty)
        #expect(request.keepAlive)
    }

    @Test func validPost_withContentLength_readsExactlyTheBody() throws {
        let outcomes = parse("POST /transactions HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhelloGET")
        #expect(outcomes.count == 1)
        let request = try firstRequest("POST /transactions HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello")
        #expect(request.body == Array("hello".utf8))
        #expect(request.query == nil)
    }

    @Test func chunkedBody_isDechunked_extensionsAndTrailersIgnored() throws {
        let request = try firstRequest(
            "POST /t HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;name=value\r\nhello\r\n6 ; x\r\n world\r\n0\r\nTrailer-Field: yes\r\n\r\n"
        )
        #expect(request.body == Array("hello world".utf8))
    }

    @Test func pipelinedRequests_inOneBuffer_parseInOrder() {
        let outcomes = parse(
            "GET /a HTTP/1.1\r\nHost: h\r\n\r\nPOST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi"
        )
        guard outcomes.count == 2, case .request(let first) = outcomes[0], case .request(let second) = outcomes[1]
        else {
            Issue.record("got \(outcomes)")
            return
        }
        #expect(first.path == "/a")
        #expect(second.path == "/b")
        #expect(second.body == Array("hi".utf8))
    }

    @Test func headerLookup_isCaseInsensitive_andKeepsReceivedCase() throws {
        var parser = HTTPParser(limits: testLimits, remoteAddress: "r")
        let bytes = Array("GET / HTTP/1.1\r\nhOsT: h\r\ncontent-TYPE: a/b\r\nX-Multi: 1\r\nx-multi: 2\r\n\r\n".utf8)
        let (_, event) = bytes.withUnsafeBytes { parser.parse($0) }
        guard case .request(let request) = event else {
            Issue.record("got \(event)")
            return
        }
        #expect(request.headers["Content-Type"] == "a/b")
        #expect(request.headers.values("X-MULTI") == ["1", "2"])
        #expect(request.headers.map(\.name) == ["hOsT", "content-TYPE", "X-Multi", "x-multi"])
        #expect(request.remoteAddress == "r")
    }

    @Test func requestID_fromClientWhenValid_elseGenerated() throws {
        let given = try firstRequest("GET / HTTP/1.1\r\nHost: h\r\nX-Request-Id: abc-123:x.y_z\r\n\r\n")
        #expect(given.requestID == "abc-123:x.y_z")
        var parser = HTTPParser(limits: testLimits, remoteAddress: "r")
        let bytes = Array("GET / HTTP/1.1\r\nHost: h\r\nX-Request-Id: bad id!\r\n\r\n".utf8)
        let (_, event) = bytes.withUnsafeBytes { parser.parse($0) }
        guard case .request(let request) = event else {
            Issue.record("got \(event)")
            return
        }
        #expect(request.requestID != "bad id!")
        #expect(request.requestID.count == 16)
        let isHex = request.requestID.allSatisfy { $0.isHexDigit }
        #expect(isHex)
    }

    @Test func keepAlive_followsVersionAndConnectionHeader() throws {
        #expect(try firstRequest("GET / HTTP/1.1\r\nHost: h\r\n\r\n").keepAlive)
        #expect(try !firstRequest("GET / HTTP/1.1\r\nHost: h\r\nConnection: Close\r\n\r\n").keepAlive)
        #expect(try !firstRequest("GET / HTTP/1.0\r\n\r\n").keepAlive)
        #expect(try firstRequest("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").keepAlive)
        #expect(try !firstRequest("GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, close\r\n\r\n").keepAlive)
    }

    @Test func targetForms_absoluteAsteriskAndEmptyLinesBeforeRequest() throws {
        let absolute = try firstRequest("GET http://example.com:8080/x/y?q=1 HTTP/1.1\r\nHost: example.com\r\n\r\n")
        #expect(absolute.path == "/x/y")
        #expect(absolute.query == "q=1")
        let bare = try firstRequest("GET http://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n")
        #expect(bare.path == "/")
        let asterisk = try firstRequest("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n")
        #expect(asterisk.path == "*")
        // RFC 9112 §2.2: empty lines before the request-line are ignored.
        let leading = try firstRequest("\r\n\r\nGET /x HTTP/1.1\r\nHost: h\r\n\r\n")
        #expect(leading.path == "/x")
    }

    @Test func higherHTTP1MinorVersion_isAccepted() throws {
        #expect(try firstRequest("GET / HTTP/1.2\r\nHost: h\r\n\r\n").version == HTTPVersion(major: 1, minor: 2))
    }

    @Test func expectContinue_reportedOnlyWhenNoBodyBytesFollow() {
        let head = "POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"
        let waiting = parse([Array(head.utf8), Array("ok".utf8)])
        #expect(waiting.first == .continueExpected)
        #expect(waiting.count == 2)
        let eager = parse(head + "ok")
        #expect(eager.count == 1)
        #expect(parse("GET / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n").isEmpty)
    }

    @Test func queryItems_arePercentDecodedWithPlusAsSpace() {
        let request = HTTPRequest(method: .get, target: "/s?a=1&b=hello+w%C3%B6rld&c&=x&d=%zz")
        let items = request.queryItems()
        #expect(items.map(\.name) == ["a", "b", "c", "", "d"])
        #expect(items.map(\.value) == ["1", "hello wörld", "", "x", "%zz"])
        #expect(request.path == "/s")
    }

    // MARK: - Splits

    static let validInputs: [String] = [
        "GET /alerts?limit=5 HTTP/1.1\r\nHost: example\r\nX-Request-Id: r-1\r\n\r\n",
        "POST /transactions HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n"
            + "{\"a\":\"b c\"}",
        "POST /t HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "3;ext=1\r\nabc\r\n0a\r\n0123456789\r\n0\r\nT: v\r\n\r\n",
        "GET /a HTTP/1.1\r\nHost: h\r\n\r\nPOST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nxyz",
        "\r\nGET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    ]

    @Test(arguments: validInputs)
    func validInput_splitAtEveryByteBoundary_givesIdenticalResults(_ input: String) {
        let bytes = Array(input.utf8)
        let whole = parse([bytes])
        #expect(!whole.isEmpty)
        #expect(!whole.contains { if case .failure = $0 { true } else { false } })
        for split in 0...bytes.count {
            let outcome = parse([Array(bytes[..<split]), Array(bytes[split...])])
            #expect(outcome == whole, "split at \(split)")
        }
        #expect(parse(bytes.map { [$0] }) == whole, "byte by byte")
    }

    @Test(arguments: [
        "GET / HTTP/1.1\nHost: h\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nBad Name: x\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n41\r\n",
    ])
    func malformedInput_splitAtEveryByteBoundary_failsTheSameWay(_ input: String) {
        let bytes = Array(input.utf8)
        let whole = parse([bytes])
        guard case .failure = whole.last else {
            Issue.record("expected a failure, got \(whole)")
            return
        }
        for split in 0...bytes.count {
            #expect(parse([Array(bytes[..<split]), Array(bytes[split...])]) == whole, "split at \(split)")
        }
        #expect(parse(bytes.map { [$0] }) == whole, "byte by byte")
    }

    // MARK: - Malformed input

    static let malformed: [(String, HTTPParseError)] = [
        ("GET/ HTTP/1.1\r\nHost: h\r\n\r\n", .invalidMethod),
        ("GET  / HTTP/1.1\r\nHost: h\r\n\r\n", .invalidRequestLine),
        (" GET / HTTP/1.1\r\nHost: h\r\n\r\n", .invalidRequestLine),
        ("GET /\r\n\r\n", .invalidRequestLine),
        ("G(T / HTTP/1.1\r\nHost: h\r\n\r\n", .invalidMethod),
        (String(repeating: "A", count: 40) + " / HTTP/1.1\r\nHost: h\r\n\r\n", .invalidMethod),
        ("GET / HTTP/1.1 \r\nHost: h\r\n\r\n", .invalidVersion),
        ("GET / http/1.1\r\nHost: h\r\n\r\n", .invalidVersion),
        ("GET / HTTP/1\r\nHost: h\r\n\r\n", .invalidVersion),
        ("GET / HTTP/2.0\r\nHost: h\r\n\r\n", .unsupportedVersion),
        ("GET / HTTP/3\r\nHost: h\r\n\r\n", .unsupportedVersion),
        ("GET / HTTP/0.9\r\n\r\n", .unsupportedVersion),
        ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", .unsupportedVersion),
        ("GET x HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
        ("GET * HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
        ("GET /a#frag HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
        ("GET /\u{1} HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
        ("GET / HTTP/1.1\nHost: h\n\n", .bareLineFeed),
        ("GET / HTTP/1.1\r\nHost: h\n\r\n", .bareLineFeed),
        ("\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", .bareLineFeed),
        ("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n", .obsoleteLineFolding),
        ("GET / HTTP/1.1\r\n Host: h\r\n\r\n", .obsoleteLineFolding),
        ("GET / HTTP/1.1\r\nHost : h\r\n\r\n", .whitespaceBeforeColon),
        ("GET / HTTP/1.1\r\nHost\t: h\r\n\r\n", .whitespaceBeforeColon),
        ("GET / HTTP/1.1\r\nHost: h\r\n: v\r\n\r\n", .invalidHeaderName),
        ("GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n", .invalidHeaderName),
        ("GET / HTTP/1.1\r\nHost: h\r\nX\u{0}Y: v\r\n\r\n", .invalidHeaderName),
        ("GET / HTTP/1.1\r\nHost: h\r\nX: a\u{0}b\r\n\r\n", .invalidHeaderValue),
        ("GET / HTTP/1.1\r\nHost: h\r\nX: a\u{1}b\r\n\r\n", .invalidHeaderValue),
        ("GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n", .invalidHeaderValue),
        ("GET / HTTP/1.1\r\nHost: h\r\nX: a\u{7F}\r\n\r\n", .invalidHeaderValue),
        ("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", .missingHost),
        ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", .multipleHost),
        ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: abc\r\n\r\n", .invalidContentLength),
        ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", .invalidContentLength),
        ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +5\r\n\r\n", .invalidContentLength),
        ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length:\r\n\r\n", .invalidContentLength),
        ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", .invalidContentLength),
        ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 6\r\n\r\n", .invalidContentLength),
        (
            "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            .contentLengthWithTransferEncoding
        ),
        (
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
            .contentLengthWithTransferEncoding
        ),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", .unsupportedTransferEncoding),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", .invalidTransferEncoding),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", .invalidTransferEncoding),
        (
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
            .invalidTransferEncoding
        ),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: \r\n\r\n", .invalidTransferEncoding),
        ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", .transferEncodingInHTTP10),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n", .invalidChunk),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n", .invalidChunk),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5 5\r\n", .invalidChunk),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", .invalidChunk),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n", .invalidChunk),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n", .invalidChunk),
        ("POST / HTTP/1.1\r\nHost: h\r\nExpect: something-else\r\n\r\n", .unsupportedExpectation),
    ]

    @Test(arguments: malformed)
    func malformedRequest_isRejectedWithItsError(_ input: String, _ expected: HTTPParseError) {
        let outcomes = parse(input)
        #expect(outcomes.last == .failure(expected), "\(input.debugDescription)")
    }

    @Test func parseErrors_mapToTheStatusCodesTheRFCsAskFor() {
        #expect(HTTPParseError.invalidRequestLine.status == 400)
        #expect(HTTPParseError.bareLineFeed.status == 400)
        #expect(HTTPParseError.contentLengthWithTransferEncoding.status == 400)
        #expect(HTTPParseError.unsupportedVersion.status == 505)
        #expect(HTTPParseError.unsupportedTransferEncoding.status == 501)
        #expect(HTTPParseError.unsupportedExpectation.status == 417)
        #expect(HTTPParseError.headerTimeout.status == 408)
        #expect(HTTPParseError.bodyTimeout.status == 408)
        #expect(HTTPParseError.invalidChunk.problem.title == "Bad Request")
    }

    /// Found by the libFuzzer target (scripts/fuzz.sh, http_parser): a value with bytes that are not
    /// UTF-8 reached handlers with U+FFFD in their place, so it no longer read as sent, and two
    /// different values could read the same.
    @Test func headerValueNotUTF8_is400_whileUTF8ValuesPassUnchanged() throws {
        let bad = Array("GET / HTTP/1.1\r\nHost: h\r\nConnection: clos".utf8) + [0xAD, 0xFF] + Array("\r\n\r\n".utf8)
        #expect(parse([bad]) == [.failure(.headerValueNotUTF8)])
        #expect(HTTPParseError.headerValueNotUTF8.status == 400)
        let overlong = Array("GET / HTTP/1.1\r\nHost: h\r\nX: ".utf8) + [0xC0, 0xAF] + Array("\r\n\r\n".utf8)
        #expect(parse([overlong]) == [.failure(.headerValueNotUTF8)])
        let request = try firstRequest("GET / HTTP/1.1\r\nHost: h\r\nX-Note: café ✓\r\n\r\n")
        #expect(request.headers.last == "X-Note: café ✓")
    }

    @Test func failure_isSticky() {
        var parser = HTTPParser(limits: testLimits, remoteAddress: "r")
        let bad = Array("BAD\r\n".utf8)
        _ = bad.withUnsafeBytes { parser.parse($0) }
        let good = Array("GET / HTTP/1.1\r\nHost: h\r\n\r\n".utf8)
        let (_, event) = good.withUnsafeBytes { parser.parse($0) }
        guard case .failure(.invalidRequestLine) = event else {
            Issue.record("got \(event)")
            return
        }
    }

    // MARK: - Limits

    @Test func longTarget_is414_longMethodLine400() {
        let target = "/" + String(repeating: "a", count: 300)
        #expect(parse("GET \(target) HTTP/1.1\r\nHost: h\r\n\r\n").last == .failure(.requestLineTooLong))
        // Detected before the line ends, so an endless line cannot hold the connection.
        #expect(parse("GET \(target)").last == .failure(.requestLineTooLong))
        #expect(parse(String(repeating: "G", count: 300)).last == .failure(.invalidMethod))
        #expect(HTTPParseError.requestLineTooLong.status == 414)
    }

    @Test func headerSectionTooLarge_is431_evenBeforeItEnds() {
        let big = "X-Big: " + String(repeating: "v", count: 600)
        #expect(parse("GET / HTTP/1.1\r\nHost: h\r\n\(big)\r\n\r\n").last == .failure(.headersTooLarge))
        #expect(parse("GET / HTTP/1.1\r\nHost: h\r\n\(big)").last == .failure(.headersTooLarge))
        #expect(HTTPParseError.headersTooLarge.status == 431)
    }

    @Test func tooManyHeaderFields_is431() {
        let fields = (0..<9).map { "X-\($0): v\r\n" }.joined()
        #expect(parse("GET / HTTP/1.1\r\nHost: h\r\n\(fields)\r\n").last == .failure(.tooManyHeaders))
        #expect(HTTPParseError.tooManyHeaders.status == 431)
    }

    @Test func bodyTooLarge_is413_forContentLengthAndForChunksPastTheLimit() {
        #expect(parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 65\r\n\r\n").last == .failure(.bodyTooLarge))
        #expect(
            parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999999\r\n\r\n").last
                == .failure(.bodyTooLarge)
        )
        let chunk = String(repeating: "x", count: 40)
        let chunked = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n28\r\n\(chunk)\r\n28\r\n"
        #expect(parse(chunked).last == .failure(.bodyTooLarge))
        #expect(HTTPParseError.bodyTooLarge.status == 413)
        // Exactly at the limit is fine.
        let exact = String(repeating: "y", count: 64)
        #expect(parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 64\r\n\r\n\(exact)").count == 1)
    }

    @Test func stage_tracksHeadAndBodyForTimeouts() {
        var parser = HTTPParser(limits: testLimits, remoteAddress: "r")
        #expect(parser.stage == .idle)
        let head = Array("POST / HTTP/1.1\r\nHo".utf8)
        let (consumed, _) = head.withUnsafeBytes { parser.parse($0) }
        #expect(parser.stage == .head)
        let rest = Array(head[consumed...]) + Array("st: h\r\nContent-Length: 3\r\n\r\na".utf8)
        _ = rest.withUnsafeBytes { parser.parse($0) }
        #expect(parser.stage == .body)
        let end = Array("bc".utf8)
        _ = end.withUnsafeBytes { parser.parse($0) }
        #expect(parser.stage == .idle)
    }
}
