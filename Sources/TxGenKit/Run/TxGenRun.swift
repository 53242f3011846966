import Foundation

/// Sending or dry-run generation, with everything the process touches passed in (output streams,
/// the interrupt flag), so that tests run it in-process and the executable only parses flags.
package struct TxGenRun {
    package let options: RunOptions

    package init(options: RunOptions) { self.options = options }

    /// Runs to the end and returns the process's exit status.
    package func execute(output: Output, shouldStop: () -> Bool = { false }) -> Int32 {
        let configuration = streamConfiguration()
        if options.dryRun { return generate(configuration, output: output) }
        return send(configuration, output: output, shouldStop: shouldStop)
    }

    private var effectiveDurationNanos: UInt64? {
        options.durationNanos ?? (options.count == nil ? 30_000_000_000 : nil)
    }

    func streamConfiguration() -> StreamConfiguration {
        let seed = options.seed ?? UInt64.random(in: .min ... .max)  // the system generator: unseeded runs only
        var configuration = StreamConfiguration(seed: seed)
        configuration.accountCount = options.accounts
        configuration.merchantCount = options.merchants
        configuration.fraudShare = options.fraudShare
        configuration.stepMillis = options.eventStepMillis
        configuration.idPrefix = options.idPrefix
        // With a rate and a duration the number of transactions is known in advance, so fraud
        // patterns are only started where they can finish.
        if let count = options.count {
            configuration.count = count
        } else if options.rate > 0, let nanos = effectiveDurationNanos {
            configuration.count = Int((options.rate * (Double(nanos) / 1e9)).rounded())
        }
        configuration.startMillis = startMillis(for: configuration)
        return configuration
    }

    private func startMillis(for configuration: StreamConfiguration) -> Int64 {
        let now = Int64(Date().timeIntervalSince1970) * 1000
        switch options.startTime {
        case "now": return now
        case let text?: return Timestamp.parse(text) ?? now
        case nil:
            // Unseeded: end at now rather than start at now, so that event time, which runs faster
            // than the clock, never lies in the future (the gateway keeps such records out of its
            // windows). Without a known count the stream starts at now.
            let span = Int64(configuration.count ?? 0) * configuration.stepMillis
            return options.seed == nil ? now - span : StreamConfiguration.defaultStartMillis
        }
    }

    private func generate(_ configuration: StreamConfiguration, output: Output) -> Int32 {
        var stream = TransactionStream(configuration)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 17)
        var written = 0
        while let transaction = stream.next() {
            transaction.appendNDJSONLine(to: &buffer)
            written += 1
            if buffer.count >= 1 << 16 {
                output.standardOutput(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        if !buffer.isEmpty { output.standardOutput(buffer) }
        let report = ExpectReport(patterns: stream.injector.patterns, includeOutcomes: false)
        guard writeReport(report, output: output) else { return 1 }
        if !options.quiet {
            let injected = report.entries.reduce(0) { $0 + $1.transactionIDs.count }
            output.errorLine(
                "txgen: wrote \(written) transactions (\(injected) in \(report.entries.count) injected patterns), "
                    + "seed \(configuration.seed)"
            )
        }
        return 0
    }

    private var loadConfiguration: LoadConfiguration {
        var load = LoadConfiguration()
        load.url = options.url
        load.concurrency = options.concurrency
        load.clientName = options.clientName
        load.batchSize = options.batch
        load.ratePerSecond = options.rate
        load.durationNanos = effectiveDurationNanos
        load.timeoutMillis = max(1, options.timeoutMillis)
        load.connectTimeoutMillis = min(load.timeoutMillis, 3_000)
        return load
    }

    private func send(_ configuration: StreamConfiguration, output: Output, shouldStop: () -> Bool) -> Int32 {
        let load = loadConfiguration
        let runner: LoadRunner
        do {
            runner = try LoadRunner(configuration: load, stream: TransactionStream(configuration))
        } catch {
            output.errorLine("txgen: cannot set up libcurl: \(error)")
            return 1
        }
        let statistics = runner.run(shouldStop: shouldStop) { snapshot in
            if !options.quiet { output.errorLine(snapshot.line) }
        }
        let report = ExpectReport(patterns: runner.stream.injector.patterns, includeOutcomes: true)
        let reportWritten = writeReport(report, output: output)
        let summary = Summary(statistics: statistics, configuration: load, seed: configuration.seed, report: report)
        if options.json {
            do { output.line(try summary.json()) } catch {
                output.errorLine("txgen: cannot encode the summary: \(error)")
            }
        } else {
            output.line(summary.text)
        }
        if statistics.accepted == 0 {
            output.errorLine(Self.noAcceptanceMessage(statistics))
            return 1
        }
        return reportWritten ? 0 : 1
    }

    /// Why nothing was accepted, from the most frequent failure, so the user need not guess.
    private static func noAcceptanceMessage(_ statistics: LoadStatistics) -> String {
        var why = "txgen: no transaction was accepted"
        if let (message, times) = statistics.errorMessages.max(by: { $0.value < $1.value }) {
            why += ": \(times) requests failed with \(message)"
        } else if let (outcome, times) = statistics.itemStatusCounts.max(by: { $0.value < $1.value }) {
            why +=
                ": \(times) batch items came back as \(outcome)"
                + (outcome.first?.isNumber == true ? "" : " (the answer must be a JSON array of per-item results)")
        } else if let (status, times) = statistics.statusCounts.max(by: { $0.value < $1.value }) {
            why +=
                ": \(times) requests answered HTTP \(status)"
                + (statistics.problemSamples[status].map { " (\($0))" } ?? "")
        } else if statistics.transactionsSent == 0 {
            why += ": nothing was sent"
        }
        return why
    }

    private func writeReport(_ report: ExpectReport, output: Output) -> Bool {
        guard let path = options.expectReportPath else { return true }
        do {
            try report.write(to: path)
            return true
        } catch {
            output.errorLine("txgen: cannot write the expect report to \(path): \(error.localizedDescription)")
            return false
        }
    }
}
