import ArgumentParser

/// `gateway serve` options of the alert webhooks, under their own heading in `--help`.
/// `--alert-webhook` may be given several times (one endpoint each).
struct WebhookOptions: ParsableArguments {
    @Option(help: ServeCommand.help("alert-webhook")) var alertWebhook: [String] = []
    @Option(help: ServeCommand.help("alert-webhook-secret")) var alertWebhookSecret: String?
    @Option(help: ServeCommand.help("alert-webhook-max-attempts")) var alertWebhookMaxAttempts: String?
    @Option(help: ServeCommand.help("alert-webhook-max-age-seconds")) var alertWebhookMaxAgeSeconds: String?
    @Option(help: ServeCommand.help("alert-webhook-initial-backoff-ms")) var alertWebhookInitialBackoffMs: String?
    @Option(help: ServeCommand.help("alert-webhook-max-backoff-ms")) var alertWebhookMaxBackoffMs: String?
    @Option(help: ServeCommand.help("alert-webhook-timeout-ms")) var alertWebhookTimeoutMs: String?
    @Option(help: ServeCommand.help("alert-dead-letter-topic")) var alertDeadLetterTopic: String?
}
