/// One txgen run as the command line describes it, already validated by the command (which owns
/// the flags, their help and their error messages); the library only acts on the values.
package struct RunOptions: Sendable {
    package var url = "http://127.0.0.1:8080/transactions"
    /// Transactions per second (open loop); 0 sends as fast as possible.
    package var rate: Double = 1000
    /// How long to send; nil with no `count` either means 30 s.
    package var durationNanos: UInt64?
    package var count: Int?
    package var concurrency = 16
    /// Sent as `X-Client-Name`, so the gateway's cluster view can tell producers apart.
    package var clientName: String?
    /// NDJSON batch size; nil sends one JSON transaction per request.
    package var batch: Int?
    /// nil: a random seed (printed in the summary).
    package var seed: UInt64?
    package var fraudShare = 0.01
    package var accounts = Population.defaultAccountCount
    package var merchants = Population.defaultMerchantCount
    /// Where to write the injected patterns as JSON, if anywhere.
    package var expectReportPath: String?
    /// The summary as JSON instead of text.
    package var json = false
    /// Write the transactions as NDJSON to stdout instead of sending them.
    package var dryRun = false
    package var timeoutMillis = 10_000
    package var eventStepMillis: Int64 = 100
    /// RFC 3339, "now", or nil (see `TxGenRun.streamConfiguration()`).
    package var startTime: String?
    package var idPrefix: String?
    /// No progress line on stderr.
    package var quiet = false

    package init() {}
}

extension RunOptions {
    /// libcurl's own words for a URL it cannot use, or nil: checked before any request is sent.
    package static func urlProblem(_ url: String) -> String? { CurlMultiClient.validate(url: url) }

    /// Whether `text` is an RFC 3339 date-time the stream can start at.
    package static func isStartTime(_ text: String) -> Bool { Timestamp.parse(text) != nil }
}
