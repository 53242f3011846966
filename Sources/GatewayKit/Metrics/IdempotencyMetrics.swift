/// The `Idempotency-Key` store's series, read from the store at scrape time: the store counts
/// under its own lock and knows nothing of Prometheus.
enum IdempotencyMetrics {
    static func render(_ statistics: IdempotencyStore.Statistics) -> String {
        var text = PrometheusText()
        text.family(
            "gateway_idempotency_entries",
            type: "gauge",
            help: "Idempotency keys held: answers stored plus requests in flight",
            samples: [([], Double(statistics.entries))]
        )
        let counts = statistics.counts
        let counters: [(String, String, Int)] = [
            ("replays", "Requests answered with the stored answer of their idempotency key", counts.replays),
            ("conflicts", "Requests refused with 409: their key's first request was still in flight", counts.conflicts),
            ("mismatches", "Requests refused with 422: their key was used with a different body", counts.mismatches),
            ("evictions", "Stored answers forgotten early to stay within the count or byte bound", counts.evictions),
            ("expirations", "Stored answers forgotten after the key's time to live", counts.expirations),
        ]
        for (name, help, value) in counters {
            text.family(
                "gateway_idempotency_\(name)_total",
                type: "counter",
                help: help,
                samples: [([], Double(value))]
            )
        }
        return text.text
    }
}
