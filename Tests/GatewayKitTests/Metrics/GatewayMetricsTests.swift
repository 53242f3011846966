import Testing

@testable import GatewayKit

/// The gateway's own series whose labels are known in advance exist at 0 before any request.
@Suite struct GatewayMetricsTests {
    @Test func freshGatewayMetrics_haveTheIngestSeriesAtZero() {
        let text = String(decoding: GatewayMetrics(knownRoutes: GatewayRoutes.knownRoutes).render(), as: UTF8.self)
        for status in GatewayMetrics.transactionStatuses {
            #expect(
                text.contains(
                    #"gateway_http_requests_total{route="/transactions",method="POST",status="\#(status.code)"} 0"#
                ),
                "\(status.code)"
            )
        }
        for route in GatewayRoutes.knownRoutes {
            #expect(text.contains(#"gateway_http_request_duration_seconds_count{route="\#(route)"} 0"#), "\(route)")
        }
        for error in ["_QUEUE_FULL", "_MSG_TIMED_OUT"] {
            #expect(text.contains(#"gateway_kafka_delivery_errors_total{error="\#(error)"} 0"#), "\(error)")
        }
    }
}
