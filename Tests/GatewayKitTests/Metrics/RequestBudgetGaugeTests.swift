import HTTPCore
import Logging
import Testing

@testable import GatewayKit

/// `/metrics` shows the HTTP server's request budget once the service attached its server.
@Suite struct RequestBudgetGaugeTests {
    @Test func aServersRequestBudget_isExposedWithItsLimit_andNothingBeforeOneIsAttached() throws {
        var configuration = HTTPServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.eventLoopCount = 1
        configuration.maxBufferedRequestBytes = 8 << 20
        let server = HTTPServer(configuration: configuration, logger: Logger(label: "test")) { _, responder in
            responder.respond(.text(200, "ok"))
        }
        let gauge = RequestBudgetGauge()
        #expect(gauge.text.isEmpty)
        _ = try server.start()
        defer { server.shutdown(gracePeriod: .seconds(1)) }
        gauge.attach(server)
        let lines = gauge.text.split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(
            lines == [
                "gateway_http_buffered_request_bytes 0",
                "gateway_http_buffered_request_bytes_peak 0",
                "gateway_http_buffered_request_bytes_limit 8388608",
            ]
        )
    }
}
