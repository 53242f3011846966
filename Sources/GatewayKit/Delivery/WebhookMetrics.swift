/// The alert webhooks in `/metrics`, read from the dispatcher at scrape time, and each endpoint's
/// health for the dashboard.
enum WebhookMetrics {
    /// `{"endpoints":[{endpoint, circuit, delivered, failed, dead_lettered, backlog}]}` for the
    /// dashboard's `event: webhooks`.
    static func healthDocument(_ snapshot: WebhookDispatcher.Snapshot) -> [UInt8]? {
        struct Endpoint: Encodable {
            var endpoint: String
            var circuit: String
            var delivered: Int
            var failed: Int
            var deadLettered: Int
            var backlog: Int

            enum CodingKeys: String, CodingKey {
                case endpoint, circuit, delivered, failed, backlog
                case deadLettered = "dead_lettered"
            }
        }
        struct Document: Encodable { var endpoints: [Endpoint] }
        return StableJSON.bytes(
            Document(
                endpoints: snapshot.endpoints.map {
                    Endpoint(
                        endpoint: $0.label,
                        circuit: ["closed", "open", "half_open"][Int($0.breaker)],
                        delivered: $0.tally.delivered,
                        failed: $0.tally.failed,
                        deadLettered: $0.tally.deadLettered,
                        backlog: $0.backlog
                    )
                }
            )
        )
    }

    static func render(_ snapshot: WebhookDispatcher.Snapshot) -> String {
        var text = PrometheusText()
        let endpoints = snapshot.endpoints
        text.family(
            "gateway_webhook_deliveries_total",
            type: "counter",
            help:
                "Alert webhook outcomes by endpoint: delivered (2xx), failed (an attempt that was not 2xx), dead_lettered",
            samples: endpoints.flatMap { endpoint in
                [
                    ([("endpoint", endpoint.label), ("outcome", "delivered")], Double(endpoint.tally.delivered)),
                    ([("endpoint", endpoint.label), ("outcome", "failed")], Double(endpoint.tally.failed)),
                    (
                        [("endpoint", endpoint.label), ("outcome", "dead_lettered")],
                        Double(endpoint.tally.deadLettered)
                    ),
                ]
            }
        )
        text.family(
            "gateway_webhook_attempts_total",
            type: "counter",
            help: "Alert webhook requests started, by endpoint (first attempts and retries)",
            samples: endpoints.map { ([("endpoint", $0.label)], Double($0.tally.attempts)) }
        )
        text.family(
            "gateway_webhook_request_duration_seconds",
            type: "histogram",
            help: "Time from starting an alert webhook request to its answer or failure",
            namedSamples: endpoints.flatMap { endpoint -> [(String, [(String, String)], Double)] in
                let name = "gateway_webhook_request_duration_seconds"
                var samples = zip(WebhookDispatcher.EndpointTally.latencyBounds, endpoint.tally.latencyBuckets).map {
                    (
                        name + "_bucket", [("endpoint", endpoint.label), ("le", PrometheusText.format($0.0))],
                        Double($0.1)
                    )
                }
                samples.append(
                    (
                        name + "_bucket", [("endpoint", endpoint.label), ("le", "+Inf")],
                        Double(endpoint.tally.latencyCount)
                    )
                )
                samples.append((name + "_sum", [("endpoint", endpoint.label)], endpoint.tally.latencySum))
                samples.append((name + "_count", [("endpoint", endpoint.label)], Double(endpoint.tally.latencyCount)))
                return samples
            }
        )
        text.family(
            "gateway_webhook_backlog",
            type: "gauge",
            help: "Alerts taken from Kafka that an endpoint has not yet received (or dead-lettered)",
            samples: endpoints.map { ([("endpoint", $0.label)], Double($0.backlog)) }
        )
        text.family(
            "gateway_webhook_circuit_state",
            type: "gauge",
            help: "Each endpoint's circuit breaker: 0 closed, 1 open (no requests), 2 half-open (one probe)",
            samples: endpoints.map { ([("endpoint", $0.label)], $0.breaker) }
        )
        text.family(
            "gateway_webhook_dead_letters_total",
            type: "counter",
            help: "Alerts written to the dead-letter topic, every endpoint together",
            samples: [([], Double(snapshot.deadLettered))]
        )
        return text.text
    }
}
