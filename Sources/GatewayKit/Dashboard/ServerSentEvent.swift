/// One event of a `text/event-stream` (WHATWG HTML, "Server-sent events", §9.2.5): an `id:` line
/// when it has one (what a reconnecting client sends back in `Last-Event-ID`), an `event:` line
/// naming its type, then the data, one `data:` line per line of it (the browser joins them with LF),
/// then an empty line that dispatches it.
struct ServerSentEvent {
    var name: String
    var data: [UInt8]
    var id: String? = nil

    func append(to out: inout [UInt8]) {
        if let id { out.append(contentsOf: "id: \(id)\n".utf8) }
        out.append(contentsOf: "event: \(name)\n".utf8)
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            out.append(contentsOf: "data: ".utf8)
            out.append(contentsOf: line.filter { $0 != UInt8(ascii: "\r") })
            out.append(UInt8(ascii: "\n"))
        }
        out.append(UInt8(ascii: "\n"))
    }

    /// `retry:` sets how long the browser waits before reconnecting after the stream ends.
    static func retry(milliseconds: Int) -> [UInt8] {
        Array("retry: \(milliseconds)\n\n".utf8)
    }

    /// A comment line: ignored by clients, but traffic that keeps proxies from closing an idle stream.
    static let heartbeat = Array(": heartbeat\n\n".utf8)
}
