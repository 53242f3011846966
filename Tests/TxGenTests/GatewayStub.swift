import Foundation

/// How the stub gateway answers a transaction: by the last digit of its id, so a test can
/// predict the counts from the generated stream. 0-6 accepted, 7-8 422, 9 503.
func stubStatus(forID id: String) -> Int {
    switch id.last {
    case "7", "8": 422
    case "9": 503
    default: 202
    }
}

private func itemJSON(id: String, status: Int) -> String {
    status == 202
        ? #"{"id":"\#(id)","status":"accepted","topic":"transactions","partition":0,"offset":1}"#
        : #"{"type":"about:blank","title":"refused","status":\#(status),"detail":"stub refuses \#(id)"}"#
}

/// The stub gateway: single JSON -> 202 or a problem; NDJSON batch -> 200 with per-item results.
@Sendable func stubGateway(_ request: TinyHTTPServer.Request) -> TinyHTTPServer.Response {
    let contentType = request.headers["content-type"] ?? ""
    guard request.method == "POST" else { return .init(status: 400, body: "{}") }
    if contentType.hasPrefix("application/x-ndjson") {
        let lines = String(decoding: request.body, as: UTF8.self).split(separator: "\n")
        let items = lines.map { line -> String in
            let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
            let id = object?["id"] as? String ?? "?"
            return itemJSON(id: id, status: stubStatus(forID: id))
        }
        return .init(status: 200, body: "[" + items.joined(separator: ",") + "]")
    }
    guard contentType.hasPrefix("application/json"),
          let object = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any],
          let id = object["id"] as? String
    else { return .init(status: 415, contentType: "application/problem+json", body: #"{"status":415}"#) }
    let status = stubStatus(forID: id)
    return .init(status: status, contentType: status == 202 ? "application/json" : "application/problem+json",
                 body: itemJSON(id: id, status: status))
}
