import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A real HTTP client (URLSession, libcurl underneath on Linux) for end-to-end tests.
enum HTTPClient {
    struct Response: Sendable {
        var status: Int
        var headers: [String: String]
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        func header(_ name: String) -> String? {
            headers.first { $0.key.lowercased() == name.lowercased() }?.value
        }
        func json() throws -> [String: Any] {
            guard let object = try JSONSerialization.jsonObject(with: body) as? [String: Any] else {
                throw TestFailure("not a JSON object: \(text)")
            }
            return object
        }
        func jsonArray() throws -> [[String: Any]] {
            guard let array = try JSONSerialization.jsonObject(with: body) as? [[String: Any]] else {
                throw TestFailure("not a JSON array: \(text)")
            }
            return array
        }
    }

    static func send(
        _ method: String,
        _ url: String,
        body: String? = nil,
        headers: [String: String] = [:],
        timeout: TimeInterval = 20
    ) async throws -> Response {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.timeoutInterval = timeout
        if let body { request.httpBody = Data(body.utf8) }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw TestFailure("not an HTTP response") }
        var fields: [String: String] = [:]
        for (key, value) in http.allHeaderFields { fields["\(key)"] = "\(value)" }
        return Response(status: http.statusCode, headers: fields, body: data)
    }

    /// Sends the request until `condition` holds or `timeout` passes; the matching response, or
    /// nil. A request that fails (refused, timed out) counts as not matching.
    static func poll(
        _ url: String,
        method: String = "GET",
        body: String? = nil,
        timeout: Duration,
        until condition: (HTTPClient.Response) -> Bool
    ) async throws -> HTTPClient.Response? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let headers = body == nil ? [:] : ["Content-Type": "application/json"]
            if let response = try? await HTTPClient.send(method, url, body: body, headers: headers, timeout: 10),
                condition(response)
            {
                return response
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        return nil
    }

    static func postJSON(_ url: String, _ body: String, headers: [String: String] = [:]) async throws -> Response {
        try await send("POST", url, body: body, headers: ["Content-Type": "application/json"].merging(headers) { $1 })
    }
}

/// The transaction of the example, with overridable fields.
func sampleTransaction(
    id: String = "tx-0001",
    account: String = "acc-42",
    amount: String = "\"129.90\"",
    extra: String = ""
) -> String {
    """
    {"id":"\(id)","account_id":"\(account)","amount":\(amount),"currency":"BRL","merchant_id":"m-881",\
    "merchant_category":"5411","country":"BR","channel":"card_present","timestamp":"2026-11-25T16:20:00Z"\(extra)}
    """
}
