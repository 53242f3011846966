import Foundation

/// Renders the monitor's view (rolling statistics, consumer progress, alerts) as Prometheus text,
/// appended to the registry's own metrics on each scrape.
enum MonitorMetrics {
    static func render(_ service: MonitorService) -> String {
        var out = PrometheusText()
        let counters = service.monitor.counters
        out.family(
            "gateway_monitor_consumed_total",
            type: "counter",
            help: "Records read from the transactions topic by this instance",
            samples: [([], Double(service.consumedCount))]
        )
        out.family(
            "gateway_monitor_invalid_records_total",
            type: "counter",
            help: "Records skipped because they are not valid transactions",
            samples: [([], Double(service.invalidRecordCount))]
        )
        renderSkipped(service, into: &out)
        out.family(
            "gateway_monitor_duplicates_skipped_total",
            type: "counter",
            help: "Transactions skipped because their id was already counted",
            samples: [([], Double(counters.duplicatesSkipped))]
        )
        out.family(
            "gateway_monitor_recorded_total",
            type: "counter",
            help: "Transactions applied to the statistics",
            samples: [([], Double(counters.recorded))]
        )
        out.family(
            "gateway_monitor_late_records_total",
            type: "counter",
            help: "Transactions too late for the windows (still in totals)",
            samples: [([], Double(counters.late))]
        )
        out.family(
            "gateway_monitor_future_records_total",
            type: "counter",
            help: "Transactions dated too far ahead of the clock for the windows (still in totals)",
            samples: [([], Double(counters.future))]
        )
        out.family(
            "gateway_monitor_accounts_tracked",
            type: "gauge",
            help: "Accounts with alert-rule state in memory now (bounded by --monitor-memory-mb)",
            samples: [([], Double(counters.accountsTracked))]
        )
        out.family(
            "gateway_monitor_accounts_capacity",
            type: "gauge",
            help: "Accounts the memory budget allows in memory now, over the partitions held",
            samples: [([], Double(counters.accountCapacity))]
        )
        out.family(
            "gateway_monitor_accounts_loaded_total",
            type: "counter",
            help: "Accounts read back from the partition stores (evicted from memory earlier)",
            samples: [([], Double(counters.accountsLoaded))]
        )
        out.family(
            "gateway_monitor_accounts_evicted_total",
            type: "counter",
            help:
                "Accounts evicted from memory to stay within the budget (kept in the partition store; without one, forgotten)",
            samples: [([], Double(counters.accountsEvicted))]
        )
        out.family(
            "gateway_monitor_dedupe_entries",
            type: "gauge",
            help: "Transaction ids remembered for dedupe now (bounded by --monitor-memory-mb)",
            samples: [([], Double(counters.dedupeEntries))]
        )
        out.family(
            "gateway_monitor_dedupe_capacity",
            type: "gauge",
            help: "Transaction ids the memory budget allows for dedupe now, over the partitions held",
            samples: [([], Double(counters.dedupeCapacity))]
        )
        out.family(
            "gateway_monitor_memory_budget_bytes",
            type: "gauge",
            help: "The monitor's memory budget for account state and dedupe ids (--monitor-memory-mb); 0 when unset",
            samples: [([], Double(service.monitor.configuration.memoryBudgetBytes ?? 0))]
        )
        out.family(
            "gateway_consumer_assigned_partitions",
            type: "gauge",
            help: "Partitions of the transactions topic this instance's consumers own now",
            samples: [([], Double(service.assignedPartitionCount))]
        )
        let moves = service.partitionMoves
        out.family(
            "gateway_consumer_partitions_assigned_total",
            type: "counter",
            help:
                "Partitions of the transactions topic assigned to this instance's consumers by rebalances (cooperative: only those that moved here)",
            samples: [([], Double(moves.assigned))]
        )
        out.family(
            "gateway_consumer_partitions_revoked_total",
            type: "counter",
            help:
                "Partitions of the transactions topic revoked from this instance's consumers by rebalances (cooperative: only those that moved away)",
            samples: [([], Double(moves.revoked))]
        )
        out.family(
            "gateway_consumer_lag",
            type: "gauge",
            help: "Records behind the high watermark, per owned partition",
            samples: service.lag().map { ([("topic", $0.topic), ("partition", String($0.partition))], Double($0.lag)) }
        )
        out.family(
            "gateway_alerts_total",
            type: "counter",
            help: "Alerts raised by this instance, by rule and severity",
            samples: alertCounts(counters, rules: service.monitor.configuration.rules).map {
                ([("rule", $0.key.rule.rawValue), ("severity", $0.key.severity.rawValue)], Double($0.value))
            }
        )
        out.family(
            "gateway_alerts_suppressed_total",
            type: "counter",
            help:
                "Alerts not raised because their account and rule had reached --alerts-per-account-rule this minute, by rule",
            samples: AlertRuleName.allCases.map {
                ([("rule", $0.rawValue)], Double(counters.alertsSuppressedByRule[$0] ?? 0))
            }
        )
        out.family(
            "gateway_alerts_publish_failures_total",
            type: "counter",
            help: "Alerts that could not be produced to the alerts topic",
            samples: [([], Double(service.alertPublishFailures))]
        )
        if let state = service.stateCounts { renderState(state, into: &out) }
        renderAmounts(service.monitor.amounts, into: &out)
        renderWindows(service.monitor.snapshot(), into: &out)
        return out.text
    }

    /// Every enabled rule with its severity, at 0 until it raises an alert (so a dashboard reads 0,
    /// not "No data"), plus whatever was counted.
    private static func alertCounts(
        _ counters: MonitorCounters,
        rules: AlertRulesConfiguration
    ) -> [(key: AlertKey, value: Int)] {
        var counts = counters.alertsByRuleAndSeverity
        for (rule, severity) in rules.enabledSeverities {
            counts[AlertKey(rule: rule, severity: severity), default: 0] += 0
        }
        return counts.sorted { $0.key < $1.key }
    }

    /// Records the consumers' positions jumped past, per partition: a series for every partition
    /// owned now (0 until a skip) and for every partition that had one.
    private static func renderSkipped(_ service: MonitorService, into out: inout PrometheusText) {
        var counts = Dictionary(uniqueKeysWithValues: service.lag().map { ($0.partition, Int64(0)) })
        for (partition, skipped) in service.skipped.byPartition { counts[partition] = skipped.records }
        out.family(
            "gateway_monitor_skipped_records_total",
            type: "counter",
            help:
                "Records of the transactions topic the monitor never applied because its position was reset past them (the cluster no longer had them), per partition",
            samples: counts.sorted { $0.key < $1.key }.map { ([("partition", String($0.key))], Double($0.value)) }
        )
    }

    /// The partition stores and the changelog: flushes, restores and what they moved (see
    /// ARCHITECTURE.md, "State model").
    private static func renderState(_ state: StateChangelog.Tally, into out: inout PrometheusText) {
        let families: [(String, String, String, Double)] = [
            (
                "gateway_monitor_state_flushes_total", "counter",
                "Flushes of a partition's changes to its store and the state changelog", Double(state.flushes)
            ),
            (
                "gateway_monitor_state_records_written_total", "counter",
                "Records produced to the state changelog (one per changed account, bucket, dedupe chunk, meta)",
                Double(state.recordsWritten)
            ),
            (
                "gateway_monitor_state_bytes_written_total", "counter",
                "Bytes (keys and values) produced to the state changelog", Double(state.bytesWritten)
            ),
            (
                "gateway_monitor_state_largest_record_bytes", "gauge",
                "Largest state changelog record this instance produced", Double(state.largestRecordBytes)
            ),
            (
                "gateway_monitor_state_write_failures_total", "counter",
                "State flushes not written or not acknowledged (their rows are sent again)", Double(state.failed)
            ),
            (
                "gateway_monitor_state_restores_total", "counter",
                "Partitions whose state was restored on assignment (from the local store and the changelog; not those with no state yet)",
                Double(state.restores)
            ),
            (
                "gateway_monitor_state_local_restores_total", "counter",
                "Restores that read no changelog record: the local store was up to date",
                Double(state.restoresFromLocalStore)
            ),
            (
                "gateway_monitor_state_restore_retries_total", "counter",
                "Restore attempts that failed and were tried again", Double(state.restoreRetries)
            ),
            (
                "gateway_monitor_state_restore_records_total", "counter",
                "State changelog records read by restores", Double(state.restoreRecords)
            ),
            (
                "gateway_monitor_state_restore_bytes_total", "counter",
                "State changelog bytes read by restores", Double(state.restoreBytes)
            ),
            (
                "gateway_monitor_state_restore_seconds_total", "counter",
                "Time spent restoring partitions", state.restoreSeconds
            ),
            (
                "gateway_monitor_state_stores_discarded_total", "counter",
                "Local stores discarded (another cluster or topic, unreadable, or ahead of the changelog)",
                Double(state.storesDiscarded)
            ),
            (
                "gateway_monitor_state_incomplete_restores_total", "counter",
                "Restores that found part of the changelog gone (records deleted before they were read)",
                Double(state.incompleteRestores)
            ),
        ]
        for (name, type, help, value) in families {
            out.family(name, type: type, help: help, samples: [([], value)])
        }
    }

    /// A Prometheus histogram (cumulative `le` buckets, `_sum`, `_count`) per currency.
    private static func renderAmounts(_ amounts: AmountHistogram, into out: inout PrometheusText) {
        let name = "gateway_transaction_amount"
        var samples: [(String, [(String, String)], Double)] = []
        for (currency, series) in amounts.byCurrency {
            var cumulative: UInt64 = 0
            for (index, n) in series.buckets.enumerated() {
                cumulative += n
                let bound = index < AmountHistogram.bounds.count ? String(AmountHistogram.bounds[index]) : "+Inf"
                samples.append(("\(name)_bucket", [("currency", currency), ("le", bound)], Double(cumulative)))
            }
            samples.append(
                (
                    "\(name)_sum", [("currency", currency)],
                    Double(Amount.decimalString(tenThousandths: series.sumTenThousandths)) ?? 0
                )
            )
            samples.append(("\(name)_count", [("currency", currency)], Double(series.count)))
        }
        out.family(
            name,
            type: "histogram",
            help: "Amounts of the transactions this instance applied, in currency units, by currency (fixed buckets)",
            namedSamples: samples
        )
    }

    private static func renderWindows(_ snapshot: StatisticsSnapshot, into out: inout PrometheusText) {
        let windows = snapshot.allWindows
        out.family(
            "gateway_window_transactions",
            type: "gauge",
            help: "Transactions in the rolling window (event time); window=\"total\" is since start",
            samples: windows.map { ([("window", $0.label)], Double($0.count)) }
        )
        out.family(
            "gateway_window_rate_per_second",
            type: "gauge",
            help: "Transactions per second over the window",
            samples: windows.map { ([("window", $0.label)], $0.ratePerSecond) }
        )
        var volumes: [([(String, String)], Double)] = []
        var counts: [([(String, String)], Double)] = []
        for window in windows {
            for (currency, stats) in window.currencies.sorted(by: { $0.key < $1.key }) {
                let labels = [("window", window.label), ("currency", currency)]
                counts.append((labels, Double(stats.count)))
                if let sum = stats.sum.flatMap(Double.init) { volumes.append((labels, sum)) }
            }
        }
        out.family(
            "gateway_window_transactions_by_currency",
            type: "gauge",
            help: "Transactions in the window by currency",
            samples: counts
        )
        // Not `..._sum` (promtool reads that as a histogram's part) and no quantile gauges: the
        // amount distribution is the histogram `gateway_transaction_amount`, which adds up across
        // instances where quantiles cannot.
        out.family(
            "gateway_window_amount_volume",
            type: "gauge",
            help: "Sum of the amounts in the window by currency, in currency units",
            samples: volumes
        )
        out.family(
            "gateway_window_transactions_by_channel",
            type: "gauge",
            help: "Transactions in the window by channel",
            samples: windows.flatMap { window in
                // Every channel, at 0 when the window has none: the set is closed (`Channel`).
                var byChannel = window.byChannel
                for channel in Channel.allCases { byChannel[channel.rawValue, default: 0] += 0 }
                return byChannel.sorted { $0.key < $1.key }.map {
                    ([("window", window.label), ("channel", $0.key)], Double($0.value))
                }
            }
        )
        out.family(
            "gateway_window_transactions_by_country",
            type: "gauge",
            help: "Transactions in the window by country (top K, the rest as other)",
            samples: windows.flatMap { window in
                window.byCountry.sorted { $0.key < $1.key }.map {
                    ([("window", window.label), ("country", $0.key)], Double($0.value))
                }
            }
        )
    }
}
