import Foundation
import HTTPCore
import Prometheus

/// The gateway's own Prometheus metrics (HTTP and producer), on swift-prometheus' registry.
/// Naming follows Prometheus conventions: `_total` counters, base units (seconds), snake_case labels.
final class GatewayMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    /// `POST /transactions` per interval, finer than the registry's buckets (the dashboard's figures).
    let ingest = IngestMeter()
    /// `POST /transactions` per client name, for the cluster view's producers.
    let clients = ClientTally()
    private let produced: Counter
    private let queueDepth: Gauge
    private let httpSeries = SeriesCache<HTTPSeriesKey, HTTPSeries>()
    private let authenticationSeries = SeriesCache<AuthenticationKey, Counter>()
    private let deliveryErrorSeries = SeriesCache<String, Counter>()

    private struct AuthenticationKey: Hashable {
        var key: String
        var outcome: String
    }

    private struct HTTPSeriesKey: Hashable {
        var route: String
        var method: String
        /// The code: the label is the code, and an `Int` hashes without a call into swift-http-types.
        var status: Int
    }

    private struct HTTPSeries {
        var requests: Counter
        var duration: DurationHistogram
    }
    /// Routes we label by name; anything else is "unmatched" so a scanner cannot explode cardinality.
    private let knownRoutes: Set<String>
    private static let knownMethods: Set<HTTPRequest.Method> = [.get, .head, .post, .put, .delete, .patch, .options]
    private static let latencyBuckets: [Duration] = [
        .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]

    // Computed: swift-prometheus' descriptor type is not Sendable, so it cannot be a static let.
    private static var producedName: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "gateway",
            subsystem: "kafka",
            metricName: "produced",
            unitName: "total",
            helpText: "Records acknowledged by the brokers"
        )
    }
    private static var queueDepthName: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "gateway",
            subsystem: "kafka",
            metricName: "producer_queue",
            unitName: "depth",
            helpText: "Records waiting in the producers for a broker acknowledgement"
        )
    }
    private static var deliveryErrorsName: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "gateway",
            subsystem: "kafka",
            metricName: "delivery_errors",
            unitName: "total",
            helpText: "Records Kafka refused or did not acknowledge, by librdkafka error name"
        )
    }
    private static var requestsName: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "gateway",
            subsystem: "http",
            metricName: "requests",
            unitName: "total",
            helpText: "HTTP responses by route, method and status"
        )
    }
    private static var durationName: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "gateway",
            subsystem: "http",
            metricName: "request_duration",
            unitName: "seconds",
            helpText: "Time from request parsed to response queued"
        )
    }

    private static var authenticationName: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "gateway",
            subsystem: "auth",
            metricName: "requests",
            unitName: "total",
            helpText: "Requests to protected routes by API key name (none when missing or invalid) and outcome"
        )
    }

    /// What `POST /transactions` answers itself (openapi.yaml), so its series exist at 0 from the start.
    static let transactionStatuses: [HTTPResponse.Status] = [
        .ok, .accepted, .badRequest, .unauthorized, .conflict, .contentTooLarge, .unsupportedMediaType,
        .unprocessableContent, .tooManyRequests, .serviceUnavailable, .gatewayTimeout,
    ]
    /// The delivery errors the ingest path names (a full queue, no acknowledgement in time); other
    /// librdkafka errors get their series when they first happen.
    static let expectedDeliveryErrors: [ProduceFailure] = [.queueFull, .timedOut]

    init(knownRoutes: Set<String>) {
        self.knownRoutes = knownRoutes
        produced = registry.makeCounter(descriptor: Self.producedName)
        queueDepth = registry.makeGauge(descriptor: Self.queueDepthName)
        initialiseKnownSeries()
    }

    /// Series whose labels are known before any request exist at 0 from the start, as Prometheus'
    /// instrumentation guidelines advise: a dashboard's `rate()` then reads 0, not "No data".
    private func initialiseKnownSeries() {
        for route in knownRoutes.sorted() {
            _ = registry.makeDurationHistogram(
                descriptor: Self.durationName,
                labels: [("route", route)],
                buckets: Self.latencyBuckets
            )
        }
        if knownRoutes.contains("/transactions") {
            for status in Self.transactionStatuses {
                _ = series(HTTPSeriesKey(route: "/transactions", method: "POST", status: status.code))
            }
        }
        for error in Self.expectedDeliveryErrors { _ = deliveryErrors(error) }
    }

    /// HTTPServer's observer: one call per response written.
    func observe(_ request: HTTPRequest?, status: HTTPResponse.Status, duration: Duration) {
        // Read in place: `request.map` copied the whole request (fields, body) twice per response.
        var route = "unparsed"
        var method = "unknown"
        if let path = request?.path {
            route = knownRoutes.contains(path) ? path : "unmatched"
        }
        if let requestMethod = request?.method {
            method = Self.knownMethods.contains(requestMethod) ? requestMethod.rawValue : "other"
        }
        let http = series(HTTPSeriesKey(route: route, method: method, status: status.code))
        http.requests.increment()
        http.duration.record(duration)
        if route == "/transactions", method == "POST" {
            ingest.record(status: status, duration: duration)
            clients.record(request, status: status)
        }
    }

    private func series(_ key: HTTPSeriesKey) -> HTTPSeries {
        httpSeries(key) {
            HTTPSeries(
                requests: registry.makeCounter(
                    descriptor: Self.requestsName,
                    labels: [("route", key.route), ("method", key.method), ("status", String(key.status))]
                ),
                duration: registry.makeDurationHistogram(
                    descriptor: Self.durationName,
                    labels: [("route", key.route)],
                    buckets: Self.latencyBuckets
                )
            )
        }
    }

    func recordProduced(_ records: Int) {
        if records > 0 { produced.increment(by: Int64(records)) }
    }

    func recordDeliveryError(_ failure: ProduceFailure) { deliveryErrors(failure).increment() }

    private func deliveryErrors(_ failure: ProduceFailure) -> Counter {
        deliveryErrorSeries(failure.name) {
            registry.makeCounter(descriptor: Self.deliveryErrorsName, labels: [("error", failure.name)])
        }
    }

    /// `key` is a name from the keys file (bounded by it), never the key itself.
    func recordAuthentication(key: String?, outcome: String) {
        let labels = AuthenticationKey(key: key ?? "none", outcome: outcome)
        authenticationSeries(labels) {
            registry.makeCounter(
                descriptor: Self.authenticationName,
                labels: [("key", labels.key), ("outcome", outcome)]
            )
        }.increment()
    }

    func setQueueDepth(_ depth: Int) { queueDepth.set(Double(depth)) }

    func render() -> [UInt8] { registry.emitToBuffer() }
}
