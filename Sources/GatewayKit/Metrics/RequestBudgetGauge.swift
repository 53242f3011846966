import HTTPCore
import Synchronization

/// The HTTP server's request budget (`--max-buffered-request-bytes`) for `/metrics`. The routes are
/// built before the server they are handed to, so the service attaches the server once it exists.
final class RequestBudgetGauge: Sendable {
    private let server = Mutex<HTTPServer?>(nil)

    func attach(_ server: HTTPServer) {
        self.server.withLock { $0 = server }
    }

    /// Read at scrape time from the server's atomics; empty before a server is attached.
    var text: String {
        guard let bytes = server.withLock({ $0 })?.bufferedRequestBytes else { return "" }
        var text = PrometheusText()
        text.family(
            "gateway_http_buffered_request_bytes",
            type: "gauge",
            help:
                "Request bytes read and not yet answered, across connections (bounded by --max-buffered-request-bytes)",
            samples: [([], Double(bytes.now))]
        )
        text.family(
            "gateway_http_buffered_request_bytes_peak",
            type: "gauge",
            help: "The most request bytes held at once since start",
            samples: [([], Double(bytes.peak))]
        )
        text.family(
            "gateway_http_buffered_request_bytes_limit",
            type: "gauge",
            help: "--max-buffered-request-bytes",
            samples: [([], Double(bytes.limit))]
        )
        return text.text
    }
}
