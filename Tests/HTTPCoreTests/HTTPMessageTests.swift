import Foundation
import Testing

@testable import HTTPCore

@Suite("Headers, responses, problems and serialization")
struct HTTPMessageTests {
    @Test func headers_lookupIsCaseInsensitive_andOrderIsKept() {
        var headers = HTTPHeaders([("Content-Type", "a"), ("X-A", "1"), ("x-a", "2")])
        #expect(headers["content-type"] == "a")
        #expect(headers["X-A"] == "1")
        #expect(headers.values("X-a") == ["1", "2"])
        #expect(headers["missing"] == nil)
        headers.add("Via", "x")
        #expect(headers.map(\.name) == ["Content-Type", "X-A", "x-a", "Via"])
    }

    @Test func headers_replaceOrAdd_replacesTheFirstInPlaceAndDropsTheRest() {
        var headers = HTTPHeaders([("A", "1"), ("B", "2"), ("a", "3")])
        headers.replaceOrAdd("a", "9")
        #expect(headers.map { "\($0.name)=\($0.value)" } == ["A=9", "B=2"])
        headers.replaceOrAdd("C", "3")
        #expect(headers["c"] == "3")
        headers.remove("b")
        #expect(headers.count == 2)
        let literal: HTTPHeaders = ["X": "y"]
        #expect(literal["x"] == "y")
    }

    @Test func responseFactories_setContentTypes() {
        #expect(HTTPResponse.json(201, Array("{}".utf8)).headers["Content-Type"] == "application/json")
        let custom = HTTPResponse.json(200, [], headers: ["Content-Type": "application/vnd.x+json"])
        #expect(custom.headers.values("content-type") == ["application/vnd.x+json"])
        let text = HTTPResponse.text(200, "hé")
        #expect(text.headers["Content-Type"] == "text/plain; charset=utf-8")
        #expect(text.body == Array("hé".utf8))
    }

    @Test func problem_isProblemJSON_withNilMembersOmitted() throws {
        let problem = ProblemDetails(status: 422, title: "Invalid transaction", detail: "2 errors")
        let response = HTTPResponse.problem(problem, headers: ["X-Request-Id": "r1"])
        #expect(response.status == 422)
        #expect(response.headers["Content-Type"] == "application/problem+json")
        #expect(response.headers["X-Request-Id"] == "r1")
        let json = try #require(JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        #expect(json["type"] as? String == "about:blank")
        #expect(json["title"] as? String == "Invalid transaction")
        #expect(json["status"] as? Int == 422)
        #expect(json["instance"] == nil)
        // Sorted keys: the same problem is the same bytes.
        #expect(
            String(decoding: response.body, as: UTF8.self)
                == #"{"detail":"2 errors","status":422,"title":"Invalid transaction","type":"about:blank"}"#
        )
        let decoded = try JSONDecoder().decode(ProblemDetails.self, from: Data(response.body))
        #expect(decoded == problem)
        #expect(ProblemDetails(status: 404).title == "Not Found")
        #expect(ProblemDetails(status: .tooManyRequests).title == "Too Many Requests")
        let outOfRange = Data(#"{"status":1000,"title":"x","type":"about:blank"}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ProblemDetails.self, from: outOfRange) }
    }

    @Test func httpDate_isIMFFixdate() {
        #expect(String(decoding: HTTPDateCache.format(784_111_777), as: UTF8.self) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(String(decoding: HTTPDateCache.format(951_868_799), as: UTF8.self) == "Tue, 29 Feb 2000 23:59:59 GMT")
    }

    private func serialize(
        _ response: HTTPResponse,
        head: Bool = false,
        close: Bool = false,
        http10: Bool = false
    )
        -> String
    {
        var out: [UInt8] = []
        ResponseSerializer.write(
            response,
            framing: .init(isHead: head, close: close, confirmKeepAlive: http10),
            date: HTTPDate(Array("Sun, 06 Nov 1994 08:49:37 GMT".utf8)),
            into: &out
        )
        return String(decoding: out, as: UTF8.self)
    }

    @Test func serializer_writesStatusLineDateLengthAndBody() {
        let response = HTTPResponse(status: 202, headers: ["Content-Type": "application/json"], body: Array("{}".utf8))
        let text = serialize(response)
        #expect(
            text == "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
                + "Content-Length: 2\r\n\r\n{}"
        )
    }

    @Test func serializer_ownsFraming_dropsHandlerFramingFields() {
        let response = HTTPResponse(
            status: 200,
            headers: [
                "Content-Length": "999", "Transfer-Encoding": "chunked", "Connection": "keep-alive", "Date": "x",
            ],
            body: Array("abc".utf8)
        )
        let text = serialize(response, close: true)
        #expect(
            text == "HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 3\r\n"
                + "Connection: close\r\n\r\nabc"
        )
        #expect(serialize(HTTPResponse(status: 200), http10: true).contains("Connection: keep-alive\r\n"))
    }

    @Test func serializer_head_keepsLengthWithoutBody_204And304HaveNoContent() {
        let head = serialize(.text(200, "hello"), head: true)
        #expect(head.hasSuffix("Content-Length: 5\r\n\r\n"))
        let declared = serialize(HTTPResponse(status: 200, headers: ["Content-Length": "42"]), head: true)
        #expect(declared.contains("Content-Length: 42\r\n"))
        let noContent = serialize(HTTPResponse(status: 204, body: Array("ignored".utf8)))
        #expect(!noContent.contains("Content-Length"))
        #expect(noContent.hasSuffix("GMT\r\n\r\n"))
        #expect(serialize(HTTPResponse(status: 304, body: [1])).hasSuffix("GMT\r\n\r\n"))
    }

    @Test func serializer_neutralisesCRLFInjection_andInvalidStatus() {
        let text = serialize(HTTPResponse(status: 200, headers: ["X-Echo": "a\r\nSet-Cookie: evil"]))
        #expect(text.contains("X-Echo: a  Set-Cookie: evil\r\n"))
        #expect(serialize(HTTPResponse(status: 42)).hasPrefix("HTTP/1.1 500 Internal Server Error\r\n"))
        #expect(serialize(HTTPResponse(status: 299)).hasPrefix("HTTP/1.1 299 \r\n"))
    }

    @Test func serializer_writesTheRegisteredPhrase_elseTheStatussOwn() {
        #expect(serialize(HTTPResponse(status: .accepted)).hasPrefix("HTTP/1.1 202 Accepted\r\n"))
        #expect(serialize(HTTPResponse(status: 202)).hasPrefix("HTTP/1.1 202 Accepted\r\n"))
        let custom = HTTPResponse.Status(code: 299, reasonPhrase: "Fine\r\nX-Evil: 1")
        #expect(serialize(HTTPResponse(status: custom)).hasPrefix("HTTP/1.1 299 Fine  X-Evil: 1\r\n"))
    }

    @Test func handlerConnectionClose_isDetectedCaseInsensitively() {
        let closing = HTTPResponse(status: 200, headers: ["connection": "Keep-Alive, CLOSE"])
        #expect(ResponseSerializer.requestsClose(closing))
        #expect(!ResponseSerializer.requestsClose(HTTPResponse(status: 200, headers: ["Connection": "keep-alive"])))
    }
}
