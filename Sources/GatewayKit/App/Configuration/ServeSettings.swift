import Foundation
import KafkaBridge

/// The settings of `gateway serve`, each declared once. The command line declares one `@Option`
/// per entry, named like it (a test holds the two lists equal).
package enum ServeSettings {
    package typealias Entry = Setting<GatewayConfiguration>

    package static var table: SettingsTable<GatewayConfiguration> {
        SettingsTable(server + kafka + monitor + rules + webhooks)
    }

    static var server: [Entry] {
        [
            Entry("host", "GATEWAY_HOST", "Address to listen on.", .text, \.host),
            Entry(
                "port",
                "GATEWAY_PORT",
                "Port to listen on; 0 picks a free one and the log says which.",
                .port,
                \.port
            ),
            Entry(
                "event-loops",
                "GATEWAY_EVENT_LOOPS",
                "HTTP event-loop threads.",
                .integer(1...256, "a whole number from 1 to 256"),
                \.eventLoops
            ),
            Entry(
                "max-body-bytes",
                "GATEWAY_MAX_BODY_BYTES",
                "Largest request body in bytes; larger gets 413.",
                .atLeast(1),
                \.maxBodyBytes
            ),
            Entry(
                "max-batch-items",
                "GATEWAY_MAX_BATCH_ITEMS",
                "Most transactions in one batch request.",
                .atLeast(1),
                \.maxBatchItems
            ),
            Entry(
                "max-connections",
                "GATEWAY_MAX_CONNECTIONS",
                "Most open client connections; more get 503.",
                .atLeast(1),
                \.maxConnections
            ),
            Entry(
                "max-buffered-request-bytes",
                "GATEWAY_MAX_BUFFERED_REQUEST_BYTES",
                "Request bytes held in memory across connections (read, not yet answered); past it connections are not read (TCP back-pressure), and a request still waiting at its read timeout gets 503. At least twice --max-body-bytes.",
                .atLeast(1),
                \.maxBufferedRequestBytes
            ),
            Entry(
                "max-event-streams",
                "GATEWAY_MAX_EVENT_STREAMS",
                "Most open GET /events (dashboard viewers) and GET /alerts/stream streams, together; more get 503.",
                .atLeast(0),
                \.maxEventStreams
            ),
            Entry(
                "alert-stream-heartbeat-ms",
                "GATEWAY_ALERT_STREAM_HEARTBEAT_MS",
                "Milliseconds between heartbeat comments on GET /alerts/stream, so that proxies keep idle streams open.",
                .milliseconds,
                \.alertStreamHeartbeat
            ),
            Entry(
                "max-pending-records",
                "GATEWAY_MAX_PENDING_RECORDS",
                "Most records awaiting Kafka's acknowledgement; a POST /transactions that would pass it gets 503 at once. At least --max-batch-items.",
                .atLeast(1),
                \.maxPendingRecords
            ),
            Entry(
                "response-timeout-ms",
                "GATEWAY_RESPONSE_TIMEOUT_MS",
                "Milliseconds a client waits for an answer before 504 Gateway Timeout; keep it above the delivery timeout.",
                .milliseconds,
                \.responseTimeout
            ),
            Entry(
                "idempotency-ttl-seconds",
                "GATEWAY_IDEMPOTENCY_TTL_SECONDS",
                "Seconds the answer to a request with an Idempotency-Key is kept for its retries.",
                .seconds(atLeast: 1),
                \.idempotency.ttl
            ),
            Entry(
                "idempotency-capacity",
                "GATEWAY_IDEMPOTENCY_CAPACITY",
                "Idempotency-Key answers kept at most; the oldest is forgotten first.",
                .atLeast(1),
                \.idempotency.capacity
            ),
            Entry(
                "idempotency-max-bytes",
                "GATEWAY_IDEMPOTENCY_MAX_BYTES",
                "Bytes the kept Idempotency-Key answers may hold at most (estimated); the oldest is forgotten first.",
                .atLeast(1),
                \.idempotency.maxBytes
            ),
            Entry(
                "shutdown-timeout",
                "GATEWAY_SHUTDOWN_TIMEOUT_SECONDS",
                "Seconds from SIGTERM/SIGINT to exit: half to finish requests and close consumers, the rest to flush the producer; what is left then is abandoned, logged, and the exit status is 1. A second signal exits at once.",
                .seconds(atLeast: 1),
                \.shutdownTimeout
            ),
            Entry("log-level", "GATEWAY_LOG_LEVEL", "Log level.", .logLevel, \.logLevel),
            Entry(
                "api-keys-file",
                "GATEWAY_API_KEYS_FILE",
                "File of name:sha256-hex-of-key lines; when set, POST /transactions, /stats and /alerts need Authorization: Bearer <key>.",
                form: "the path of a readable keys file",
                describe: { $0.apiKeysFile },
                apply: { path, configuration throws(ValueError) in
                    configuration.apiKeys = try loadKeys(path)
                    configuration.apiKeysFile = path
                }
            ),
            Entry(
                "rate-limit-per-key",
                "GATEWAY_RATE_LIMIT_PER_KEY",
                "Requests per second per API key (token bucket); more get 429.",
                .integer(1...1_000_000, "a whole number from 1 to 1000000"),
                \.rateLimitPerKey
            ),
        ]
    }

    static var kafka: [Entry] {
        [
            Entry(
                "bootstrap-servers",
                "KAFKA_BOOTSTRAP_SERVERS",
                "Kafka bootstrap servers host:port,...; none starts the embedded cluster.",
                .text,
                \.bootstrapServers
            ),
            Entry("topic", "GATEWAY_TOPIC", "Topic transactions are produced to.", .text, \.topic),
            Entry(
                "alerts-topic",
                "GATEWAY_ALERTS_TOPIC",
                "Topic alerts are produced to and read from.",
                .text,
                \.alertsTopic
            ),
            Entry(
                "state-topic",
                "GATEWAY_STATE_TOPIC",
                "Compacted topic the monitor checkpoints each partition's state to; it must exist (with at least the transactions topic's partitions) when monitoring is on.",
                .text,
                \.stateTopic
            ),
            Entry(
                "embedded-brokers",
                "GATEWAY_EMBEDDED_BROKERS",
                "Brokers of the embedded cluster.",
                .integer(1...16, "a whole number from 1 to 16"),
                \.embeddedBrokers
            ),
            Entry(
                "embedded-partitions",
                "GATEWAY_EMBEDDED_PARTITIONS",
                "Partitions of the embedded cluster's topics.",
                .integer(1...1000, "a whole number from 1 to 1000"),
                \.embeddedPartitions
            ),
            Entry(
                "producers",
                "GATEWAY_PRODUCERS",
                "Kafka producers in the pool.",
                .integer(1...64, "a whole number from 1 to 64"),
                \.producers
            ),
            Entry(
                "delivery-timeout-ms",
                "GATEWAY_DELIVERY_TIMEOUT_MS",
                "Milliseconds Kafka has to acknowledge a record before the client gets 503.",
                .milliseconds,
                \.deliveryTimeout
            ),
            Entry(
                "readiness-failures",
                "GATEWAY_READINESS_FAILURES",
                "Delivery failures in a row, on one producer, that make /readyz answer 503 until a delivery succeeds.",
                .integer(1...1_000_000, "a whole number from 1 to 1000000"),
                \.readinessFailures
            ),
            Entry(
                "readiness-failure-window-ms",
                "GATEWAY_READINESS_FAILURE_WINDOW_MS",
                "Milliseconds after its latest failure that a failure streak keeps /readyz at 503 (an instance without traffic is offered it again after); none: twice the delivery timeout.",
                .milliseconds,
                \.readinessFailureWindow
            ),
            Entry(
                "linger-ms",
                "GATEWAY_LINGER_MS",
                "Producer batching delay in milliseconds, librdkafka's linger.ms.",
                .fractionalMilliseconds,
                \.linger
            ),
        ]
    }

    static var monitor: [Entry] {
        [
            Entry(
                "consumers",
                "GATEWAY_CONSUMERS",
                "Consumers in the monitoring consumer group; 0 disables monitoring.",
                .integer(0...64, "a whole number from 0 to 64"),
                \.monitor.consumers
            ),
            Entry("group-id", "GATEWAY_GROUP_ID", "Consumer group of the monitor.", .text, \.monitor.groupID),
            Entry(
                "windows-seconds",
                "GATEWAY_WINDOWS_SECONDS",
                "Rolling windows, comma-separated seconds.",
                .secondsList,
                \.monitor.configuration.windows
            ),
            Entry(
                "allowed-lateness-seconds",
                "GATEWAY_ALLOWED_LATENESS_SECONDS",
                "Seconds a record may trail the highest event time of its partition and still enter the windows.",
                .seconds(atLeast: 0),
                \.monitor.configuration.allowedLateness
            ),
            Entry(
                "top-countries",
                "GATEWAY_TOP_COUNTRIES",
                "Countries shown by name per window; the rest count as other.",
                .integer(0...300, "a whole number from 0 to 300"),
                \.monitor.configuration.topCountries
            ),
            Entry(
                "dedupe-window-seconds",
                "GATEWAY_DEDUPE_WINDOW_SECONDS",
                "Seconds a transaction id is remembered to skip duplicates.",
                .seconds(atLeast: 0),
                \.monitor.configuration.dedupeWindow
            ),
            Entry(
                "monitor-memory-mb",
                "GATEWAY_MONITOR_MEMORY_MB",
                "MiB of memory for the monitor's account rule state and dedupe ids, shared by the partitions it holds; accounts beyond it wait on disk in the partition stores (see --state-dir), the oldest dedupe ids are forgotten.",
                .integer(1...1_048_576, "a whole number of MiB from 1 to 1048576"),
                \.monitor.configuration.memoryBudgetMegabytes
            ),
            Entry(
                "alert-store-capacity",
                "GATEWAY_ALERT_STORE_CAPACITY",
                "Alerts kept in memory for GET /alerts.",
                .atLeast(1),
                \.monitor.alertStoreCapacity
            ),
            Entry(
                "alerts-per-account-rule",
                "GATEWAY_ALERTS_PER_ACCOUNT_RULE",
                "Alerts of one rule for one account per minute of event time; more are suppressed (not stored nor published, counted in gateway_alerts_suppressed_total). 0: no bound.",
                .atLeast(0),
                \.monitor.configuration.alertsPerAccountRule
            ),
            Entry(
                "checkpoint-interval-ms",
                "GATEWAY_CHECKPOINT_INTERVAL_MS",
                "Milliseconds between flushes of each owned partition's changed state to its store and the state topic; a crash reads at most this much traffic again.",
                .milliseconds,
                \.monitor.checkpointInterval
            ),
            Entry(
                "state-dir",
                "GATEWAY_STATE_DIR",
                "Folder of the monitor's partition stores (SQLite, one file per owned partition): a restart on the same host restores from it and reads only the state-topic records it lacks. Default: a folder per port under the system's temporary folder.",
                .text,
                \.monitor.stateDirectory
            ),
            Entry(
                "monitor-niceness",
                "GATEWAY_MONITOR_NICENESS",
                "Nice value (0-19) of the monitor's consumer threads: above 0, ingestion gets the CPU first under overload and the monitor lags (gateway_consumer_lag) until it catches up.",
                .integer(0...19, "a whole number from 0 to 19"),
                \.monitor.threadNiceness
            ),
            Entry(
                "max-monitor-lag",
                "GATEWAY_MAX_MONITOR_LAG",
                "Records the monitor may trail on a partition; past it POST /transactions answers 503 with Retry-After, producing nothing, until the monitor is back within half of it. 0: no bound. None: \(GatewayConfiguration.MonitorSettings.embeddedMaxLag) on the embedded cluster (in process or gateway kafka, which keeps about 5 MB per partition and drops the rest), no bound on any other cluster.",
                .atLeast(0),
                \.monitor.maxLag
            ),
        ]
    }

    /// The rules file first, then the single-rule settings over it.
    static var rules: [Entry] {
        [
            Entry(
                "alert-rules",
                "GATEWAY_ALERT_RULES",
                "JSON file of alert rule settings, every field optional.",
                form: "the path of a readable JSON rules file",
                describe: { $0.monitor.alertRulesFile },
                apply: { path, configuration throws(ValueError) in
                    configuration.monitor.configuration.rules = try loadRules(path)
                    configuration.monitor.alertRulesFile = path
                }
            ),
            Entry(
                "high-amount-threshold",
                "GATEWAY_HIGH_AMOUNT_THRESHOLD",
                "high_amount: threshold in any currency.",
                .amount,
                \.monitor.configuration.rules.highAmount.threshold
            ),
            Entry(
                "velocity-count",
                "GATEWAY_VELOCITY_COUNT",
                "velocity: transactions of one account that make a burst.",
                .integer(2...1000, "a whole number from 2 to 1000"),
                \.monitor.configuration.rules.velocity.count
            ),
            Entry(
                "velocity-window-seconds",
                "GATEWAY_VELOCITY_WINDOW_SECONDS",
                "velocity: window in seconds.",
                .positiveSeconds,
                \.monitor.configuration.rules.velocity.windowSeconds
            ),
            Entry(
                "amount-spike-multiplier",
                "GATEWAY_AMOUNT_SPIKE_MULTIPLIER",
                "amount_spike: multiple of the account's running mean.",
                .amount,
                \.monitor.configuration.rules.amountSpike.multiplier
            ),
            Entry(
                "amount-spike-min-history",
                "GATEWAY_AMOUNT_SPIKE_MIN_HISTORY",
                "amount_spike: earlier transactions needed.",
                .atLeast(1),
                \.monitor.configuration.rules.amountSpike.minHistory
            ),
            Entry(
                "country-hop-window-seconds",
                "GATEWAY_COUNTRY_HOP_WINDOW_SECONDS",
                "country_hop: window in seconds.",
                .positiveSeconds,
                \.monitor.configuration.rules.countryHop.windowSeconds
            ),
            Entry(
                "duplicate-charge-window-seconds",
                "GATEWAY_DUPLICATE_CHARGE_WINDOW_SECONDS",
                "duplicate_charge: window in seconds.",
                .positiveSeconds,
                \.monitor.configuration.rules.duplicateCharge.windowSeconds
            ),
            Entry(
                "disable-rules",
                "GATEWAY_DISABLE_RULES",
                "Rules to disable, comma-separated (e.g. country_hop,velocity).",
                form: "comma-separated rule names from "
                    + AlertRuleName.allCases.map(\.rawValue).joined(separator: ", "),
                describe: { _ in nil },
                apply: { text, configuration throws(ValueError) in
                    for rule in try ruleNames(text) { configuration.monitor.configuration.rules.disable(rule) }
                }
            ),
        ]
    }

    /// Alert webhooks (see `WebhookSettings`).
    static var webhooks: [Entry] {
        [
            Entry(
                "alert-webhook",
                "GATEWAY_ALERT_WEBHOOK",
                "Endpoint that receives every alert as a signed webhook POST; repeat the flag for more (the variable takes several, separated by spaces); rule= and severity= after a URL filter what it gets.",
                form: WebhookEndpoint.form,
                describe: {
                    $0.webhooks.endpoints.isEmpty
                        ? nil : $0.webhooks.endpoints.map(\.description).joined(separator: " ")
                },
                apply: { text, configuration throws(ValueError) in
                    configuration.webhooks.endpoints += try WebhookEndpoint.parseList(text)
                }
            ),
            Entry(
                "alert-webhook-secret",
                "GATEWAY_ALERT_WEBHOOK_SECRET",
                "Secret that signs alert webhooks (Standard Webhooks webhook-signature); required with --alert-webhook.",
                form: "whsec_ followed by the base64 of at least 16 random bytes",
                describe: { _ in nil },
                apply: { text, configuration throws(ValueError) in
                    guard let secret = WebhookSecret(text) else {
                        throw ValueError(expected: "whsec_ followed by the base64 of at least 16 random bytes")
                    }
                    configuration.webhooks.secret = secret
                }
            ),
            Entry(
                "alert-webhook-max-attempts",
                "GATEWAY_ALERT_WEBHOOK_MAX_ATTEMPTS",
                "Attempts per alert and endpoint before the alert goes to the dead-letter topic.",
                .integer(1...1000, "a whole number from 1 to 1000"),
                \.webhooks.maxAttempts
            ),
            Entry(
                "alert-webhook-max-age-seconds",
                "GATEWAY_ALERT_WEBHOOK_MAX_AGE_SECONDS",
                "Oldest alert (by detected_at) still sent; older ones go to the dead-letter topic.",
                .seconds(atLeast: 1),
                \.webhooks.maxAge
            ),
            Entry(
                "alert-webhook-initial-backoff-ms",
                "GATEWAY_ALERT_WEBHOOK_INITIAL_BACKOFF_MS",
                "Wait after a failed attempt, doubled after each further failure, with jitter.",
                .milliseconds,
                \.webhooks.initialBackoff
            ),
            Entry(
                "alert-webhook-max-backoff-ms",
                "GATEWAY_ALERT_WEBHOOK_MAX_BACKOFF_MS",
                "Longest wait between attempts (also the cap on Retry-After, and the most an open circuit waits).",
                .milliseconds,
                \.webhooks.maxBackoff
            ),
            Entry(
                "alert-webhook-timeout-ms",
                "GATEWAY_ALERT_WEBHOOK_TIMEOUT_MS",
                "Longest time one webhook request may take, connect included.",
                .milliseconds,
                \.webhooks.timeout
            ),
            Entry(
                "alert-dead-letter-topic",
                "GATEWAY_ALERT_DEAD_LETTER_TOPIC",
                "Topic of alerts that a webhook endpoint never took, with the last error (the embedded cluster creates it).",
                .text,
                \.webhooks.deadLetterTopic
            ),
        ]
    }

    /// Resolves flags and environment into a configuration; librdkafka properties come from
    /// `KAFKA_<NAME>` variables and `-X key=value` flags (flags win).
    package static func resolve(
        flags: [String: String],
        kafkaFlags: [String],
        environment: [String: String]
    ) throws -> GatewayConfiguration {
        var configuration = try table.resolve(GatewayConfiguration(), flags: flags, environment: environment)
        let fromEnvironment = KafkaConfiguration.properties(
            fromEnvironment: environment,
            excluding: ["KAFKA_BOOTSTRAP_SERVERS"]
        )
        configuration.kafkaProperties = fromEnvironment.merging(try KafkaConfiguration.parseProperties(kafkaFlags)) {
            $1
        }
        let problems = configuration.problems
        guard problems.isEmpty else { throw ConfigurationProblems(problems: problems) }
        return configuration
    }

    private static func loadRules(_ path: String) throws(ValueError) -> AlertRulesConfiguration {
        do {
            return try AlertRulesConfiguration.decode(from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw ValueError(expected: "a readable JSON rules file (\(error))")
        }
    }

    private static func loadKeys(_ path: String) throws(ValueError) -> APIKeys {
        do {
            return try APIKeys(parsing: String(contentsOfFile: path, encoding: .utf8))
        } catch {
            throw ValueError(expected: "a readable keys file of name:sha256-hex lines (\(error))")
        }
    }

    private static func ruleNames(_ text: String) throws(ValueError) -> [AlertRuleName] {
        var names: [AlertRuleName] = []
        for name in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            guard let rule = AlertRuleName(rawValue: name) else {
                throw ValueError(
                    expected: "rule names from " + AlertRuleName.allCases.map(\.rawValue).joined(separator: ", ")
                        + "; \(name) is none"
                )
            }
            names.append(rule)
        }
        return names
    }
}

/// Settings that are each valid but do not fit together.
package struct ConfigurationProblems: Error, CustomStringConvertible {
    package let problems: [String]
    package var description: String { problems.joined(separator: "; ") }
}
