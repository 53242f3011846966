/// How alert webhooks are delivered: where to, signed with what, and how hard to try.
package struct WebhookSettings: Sendable {
    package var endpoints: [WebhookEndpoint] = []
    package var secret: WebhookSecret?
    /// The consumer group that drives delivery from the alerts topic: one per deployment, so that
    /// with several instances each alert is sent by one of them.
    package var groupID = "gateway-webhooks"
    /// Where an alert goes, with its last error, when an endpoint never took it.
    package var deadLetterTopic = "transactions.alerts.dlq"
    /// Attempts per alert and endpoint (the first one included) before the dead-letter topic.
    package var maxAttempts = 30
    /// Oldest alert (by `detected_at`) still tried; older go to the dead-letter topic.
    package var maxAge: Duration = .seconds(24 * 3600)
    /// Back-off after the first failure, doubled after each further one up to `maxBackoff`, each
    /// drawn at random from its upper half (jitter, so that retries of many alerts spread out).
    package var initialBackoff: Duration = .seconds(1)
    package var maxBackoff: Duration = .seconds(300)
    /// One request's whole time (connect included); a slow receiver counts as failed past it.
    package var timeout: Duration = .seconds(10)
    /// Failures in a row that open an endpoint's circuit; it stays open (no requests) for
    /// `min(breakerOpenTime, maxBackoff)`, then one request probes it.
    var breakerFailures = 5
    var breakerOpenTime: Duration = .seconds(30)
    /// Alerts taken from Kafka and not yet finished (all endpoints answered or dead-lettered) at
    /// most; past it the consumer pauses until half of them are done.
    var maxBacklog = 10_000

    package init() {}

    var enabled: Bool { !endpoints.isEmpty }

    var problems: [String] {
        var problems: [String] = []
        if enabled && secret == nil {
            problems.append("--alert-webhook needs --alert-webhook-secret (whsec_<base64>) to sign the requests")
        }
        if maxBackoff < initialBackoff {
            problems.append("--alert-webhook-max-backoff-ms must be at least --alert-webhook-initial-backoff-ms")
        }
        return problems
    }
}
