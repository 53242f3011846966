import ArgumentParser
import Foundation
import Synchronization
import TxGenKit

/// Set by SIGINT: stop sending, drain what is in flight, and still print the summary.
let interruptRequested = Atomic<Bool>(false)

@main
struct TxGenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "txgen",
        abstract:
            "Generate realistic financial transactions, with injected fraud patterns, and drive the gateway with them.",
        discussion: """
            Sends POST /transactions (one JSON transaction per request, or NDJSON batches with \
            --batch) over libcurl's multi interface with keep-alive connections, open-loop at --rate \
            transactions per second, for --duration or --count. A progress line goes to stderr every \
            second and a summary (latency percentiles, status counts, achieved rate, late sends) to \
            stdout at the end. Exit status: 0 when at least one transaction was accepted, 1 when none \
            was, 64 on bad usage.

            Event time is simulated: the first transaction is at --start-time and each next one \
            --event-step (default 100ms) later, so a seeded stream is byte-identical on every run. Normal traffic is \
            built never to trigger the gateway's alert rules; --fraud-share of the transactions belong \
            to injected patterns (high_amount, velocity, amount_spike, country_hop, duplicate_charge), \
            each on a fresh account, listed by --expect-report.
            """
    )

    /// The library's defaults, shown by --help: one place for them.
    private static let defaults = RunOptions()

    @Option(help: "Gateway endpoint.")
    var url = defaults.url

    @Option(help: "Target transactions per second (open loop); 0 sends as fast as possible.")
    var rate = defaults.rate

    @Option(help: "How long to send: 30s, 500ms, 2m (default 30s when --count is not given either).")
    var duration: DurationValue?

    @Option(help: "Number of transactions to send (or to write with --dry-run).")
    var count: Int?

    @Option(help: "Concurrent connections (requests in flight).")
    var concurrency = defaults.concurrency

    @Option(help: "Name sent in the X-Client-Name header; the gateway's cluster view shows producers by it.")
    var clientName: String?

    @Option(help: "Send NDJSON batches of this many transactions (1-1000) instead of one JSON per request.")
    var batch: Int?

    @Option(help: "Seed for a reproducible stream (default: random, printed in the summary).")
    var seed: UInt64?

    @Option(help: "Share of transactions that belong to injected fraud patterns (0-1).")
    var fraudShare = defaults.fraudShare

    @Option(help: "Accounts in the simulated population.")
    var accounts = defaults.accounts

    @Option(help: "Merchants in the simulated population (at least one per country and category).")
    var merchants = defaults.merchants

    @Option(help: ArgumentHelp("Write the injected patterns as JSON to this file.", valueName: "file"))
    var expectReport: String?

    @Flag(help: "Print the summary as JSON on stdout.")
    var json = false

    @Flag(help: "Write the transactions as NDJSON to stdout instead of sending them.")
    var dryRun = false

    @Option(help: "Per-request timeout.")
    var timeout = DurationValue(nanoseconds: 10_000_000_000)

    @Option(help: "Simulated event time between consecutive transactions, 1ms-1s (default 100ms).")
    var eventStep: DurationValue?

    /// The step in use. 100 ms runs event time faster than the clock at most rates, which is what
    /// lets a short demo contain patterns that span minutes (an amount spike needs 5 earlier
    /// transactions spread out enough not to be a velocity burst); see `startTime` for why that
    /// does not put events in the future.
    var effectiveEventStep: DurationValue { eventStep ?? DurationValue(nanoseconds: 100_000_000) }

    @Option(
        help:
            "Event time of the first transaction (RFC 3339, or 'now'; default: 2026-01-01T00:00:00Z with --seed, else early enough that the last transaction's event time is now)."
    )
    var startTime: String?

    @Option(help: "Transaction ids are <prefix>-<sequence> (default: tx-<6 hex digits from the seed>).")
    var idPrefix: String?

    @Flag(help: "No progress line on stderr.")
    var quiet = false

    func validate() throws {
        guard rate.isFinite, rate >= 0 else { throw ValidationError("--rate must be 0 or a positive number") }
        if let count, count < 0 { throw ValidationError("--count must not be negative") }
        if let duration, duration.nanoseconds == 0 { throw ValidationError("--duration must be positive") }
        guard (1...10_000).contains(concurrency) else { throw ValidationError("--concurrency must be 1-10000") }
        if let batch, !(1...1000).contains(batch) {
            throw ValidationError("--batch must be 1-1000 (the gateway's batch limit)")
        }
        guard fraudShare.isFinite, (0...1).contains(fraudShare) else {
            throw ValidationError("--fraud-share must be between 0 and 1")
        }
        guard accounts >= 1, accounts <= 50_000_000 else { throw ValidationError("--accounts must be 1-50000000") }
        guard merchants >= 1, merchants <= 10_000_000 else { throw ValidationError("--merchants must be 1-10000000") }
        guard timeout.nanoseconds >= 1_000_000 else { throw ValidationError("--timeout must be at least 1ms") }
        if let eventStep,
            !(1_000_000...1_000_000_000).contains(eventStep.nanoseconds) || eventStep.nanoseconds % 1_000_000 != 0
        {
            throw ValidationError(
                "--event-step must be whole milliseconds from 1ms to 1s (fraud bursts need sub-second steps)"
            )
        }
        if let startTime, startTime != "now", !RunOptions.isStartTime(startTime) {
            throw ValidationError("--start-time must be an RFC 3339 date-time like 2026-11-25T16:20:00Z, or 'now'")
        }
        if let idPrefix, !Self.isIDPrefix(idPrefix) {
            throw ValidationError("--id-prefix must be 1-48 characters of [A-Za-z0-9._:-]")
        }
        if dryRun {
            if count == nil && rate == 0 {
                throw ValidationError("--dry-run needs --count, or a --rate above 0 (times --duration, default 30s)")
            }
        } else if let problem = RunOptions.urlProblem(url) {
            throw ValidationError(problem)
        }
    }

    /// Ids are written into JSON unescaped, so the prefix keeps to an alphabet that needs no escaping
    /// (and that the gateway accepts in ids).
    private static func isIDPrefix(_ text: String) -> Bool {
        (1...48).contains(text.utf8.count)
            && text.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":")
                    || byte == UInt8(ascii: "-")
            }
    }

    mutating func run() throws {
        signal(SIGPIPE, SIG_IGN)
        // Initialise the (lazy) global now: the signal handler must only do an atomic store.
        _ = interruptRequested.load(ordering: .relaxed)
        signal(SIGINT) { _ in
            interruptRequested.store(true, ordering: .relaxed)
            signal(SIGINT, SIG_DFL)  // a second Ctrl-C ends the process at once
        }
        let output = StandardStreams()
        let status = execute(output: output) { interruptRequested.load(ordering: .relaxed) }
        if status != 0 { throw ExitCode(status) }
    }

    /// The run these flags describe, handed to the library.
    var options: RunOptions {
        var options = RunOptions()
        options.url = url
        options.rate = rate
        options.durationNanos = duration?.nanoseconds
        options.count = count
        options.concurrency = concurrency
        options.clientName = clientName
        options.batch = batch
        options.seed = seed
        options.fraudShare = fraudShare
        options.accounts = accounts
        options.merchants = merchants
        options.expectReportPath = expectReport
        options.json = json
        options.dryRun = dryRun
        options.timeoutMillis = timeout.milliseconds
        options.eventStepMillis = Int64(effectiveEventStep.milliseconds)
        options.startTime = startTime
        options.idPrefix = idPrefix
        options.quiet = quiet
        return options
    }

    /// The whole run in-process (tests call this with captured output). Returns the exit status.
    func execute(output: Output, shouldStop: () -> Bool = { false }) -> Int32 {
        TxGenRun(options: options).execute(output: output, shouldStop: shouldStop)
    }
}
