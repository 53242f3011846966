import Foundation
import Testing

@testable import GatewayKit

@Suite struct RollingStatisticsTests {
    @Test func windowsAreLabelledFromTheirDurations() {
        let snapshot = Fixture.monitor {
            $0.windows = [.seconds(60), .seconds(300), .seconds(900), .seconds(3600), .seconds(90)]
        }
        .snapshot(now: Fixture.start)
        #expect(snapshot.allWindows.map(\.label) == ["1m", "5m", "15m", "1h", "90s", "total"])
    }

    @Test func oldBucketsAreEvicted_asEventTimeAdvances() {
        let monitor = Fixture.monitor()
        monitor.feed(Fixture.tx("a", at: 0))
        monitor.feed(Fixture.tx("b", at: 30))
        #expect(monitor.window("1m", now: Fixture.at(30)).count == 2)
        monitor.feed(Fixture.tx("c", at: 61))
        #expect(monitor.window("1m", now: Fixture.at(61)).count == 2)  // "a" slid out
        #expect(monitor.window("5m", now: Fixture.at(61)).count == 3)
        monitor.feed(Fixture.tx("d", at: 400))
        #expect(monitor.window("1m", now: Fixture.at(400)).count == 1)
        #expect(monitor.window("5m", now: Fixture.at(400)).count == 1)
        #expect(monitor.window("15m", now: Fixture.at(400)).count == 4)
        #expect(monitor.window("total", now: Fixture.at(400)).count == 4)
    }

    @Test func windowBoundary_bucketLeavesExactlyOneWindowLengthLater() {
        let monitor = Fixture.monitor()
        monitor.feed(Fixture.tx("a", at: 0))
        monitor.feed(Fixture.tx("b", at: 59.999))
        #expect(monitor.window("1m", now: Fixture.at(59.999)).count == 2)
        monitor.feed(Fixture.tx("c", at: 60))
        #expect(monitor.window("1m", now: Fixture.at(60)).count == 2)
    }

    @Test func lateRecord_isDroppedFromWindowsButCountedInTotals() {
        let monitor = Fixture.monitor()
        monitor.feed(Fixture.tx("a", at: 100))
        let late = Fixture.tx("late", at: 69.999)
        #expect(monitor.record(late, now: Fixture.at(100)) == [])
        let snapshot = monitor.snapshot(now: Fixture.at(100))
        #expect(snapshot.late == 1)
        #expect(snapshot.windows.map(\.count) == [1, 1, 1])
        #expect(snapshot.total.count == 2)
        #expect(monitor.counters.late == 1)
        #expect(monitor.counters.recorded == 2)
    }

    @Test func trailingPartition_isNotLate_butLateWithinItsOwnPartitionIs() {
        let monitor = Fixture.monitor()
        _ = monitor.record(Fixture.tx("p0-a", at: 200), source: 0, now: Fixture.at(200))
        // Partition 1's consumer trails by 100 s: judged by its own progress, not partition 0's.
        _ = monitor.record(Fixture.tx("p1-a", at: 100), source: 1, now: Fixture.at(200))
        _ = monitor.record(Fixture.tx("p1-b", at: 110), source: 1, now: Fixture.at(200))
        var snapshot = monitor.snapshot(now: Fixture.at(200))
        #expect(snapshot.late == 0)
        // The 1m window ending at the watermark (200 s) does not cover 100-110 s; 5m and 15m do.
        #expect(snapshot.windows.map(\.count) == [1, 3, 3])
        // Within partition 1, a record 30+ s behind its own latest is late.
        _ = monitor.record(Fixture.tx("p1-late", at: 79.999), source: 1, now: Fixture.at(200))
        snapshot = monitor.snapshot(now: Fixture.at(200))
        #expect(snapshot.late == 1)
        #expect(snapshot.total.count == 4)
        // Without a source a record goes to a partition of its own (-1), judged by its own progress.
        _ = monitor.record(Fixture.tx("no-source", at: 150), now: Fixture.at(200))
        #expect(monitor.snapshot(now: Fixture.at(200)).late == 1)
    }

    @Test func outOfOrderRecordWithinLateness_isCounted() {
        let monitor = Fixture.monitor()
        monitor.feed(Fixture.tx("a", at: 100))
        _ = monitor.record(Fixture.tx("b", at: 70), now: Fixture.at(100))
        let snapshot = monitor.snapshot(now: Fixture.at(100))
        #expect(snapshot.late == 0)
        #expect(snapshot.windows.map(\.count) == [2, 2, 2])
        #expect(snapshot.watermark == Fixture.at(100))
    }

    @Test func recordFarInTheFuture_staysOutOfWindowsAndDoesNotMoveTheWatermark() {
        let monitor = Fixture.monitor()
        monitor.feed(Fixture.tx("a", at: 0))
        _ = monitor.record(Fixture.tx("b", at: 3600), now: Fixture.at(1))
        _ = monitor.record(Fixture.tx("c", at: 2), now: Fixture.at(2))
        let snapshot = monitor.snapshot(now: Fixture.at(2))
        #expect(snapshot.future == 1)
        #expect(snapshot.late == 0)
        #expect(snapshot.watermark == Fixture.at(2))
        #expect(snapshot.windows[0].count == 2)
        #expect(snapshot.total.count == 3)
    }

    @Test func idleStream_windowsKeepSlidingWithTheClock() {
        let monitor = Fixture.monitor()
        monitor.feed(Fixture.tx("a", at: 0))
        #expect(monitor.window("1m", now: Fixture.at(30)).count == 1)
        #expect(monitor.window("1m", now: Fixture.at(61)).count == 0)
        #expect(monitor.window("5m", now: Fixture.at(61)).count == 1)
        #expect(monitor.window("total", now: Fixture.at(61)).count == 1)
    }

    @Test func ratePerSecond_isCountOverWindowLength() {
        let monitor = Fixture.monitor()
        for i in 0..<30 { monitor.feed(Fixture.tx("t\(i)", at: Double(i))) }
        let snapshot = monitor.snapshot(now: Fixture.at(29))
        #expect(snapshot.windows[0].ratePerSecond == 0.5)
        #expect(snapshot.windows[1].ratePerSecond == 0.1)
        #expect(snapshot.total.ratePerSecond == 30.0 / 29.0)
    }

    @Test func quantilesOfAmounts1To100_matchWithinHistogramPrecision() {
        let monitor = Fixture.monitor()
        for i in 1...100 { monitor.feed(Fixture.tx("t\(i)", amount: "\(i)", at: Double(i) / 10)) }
        for label in ["1m", "total"] {
            let usd = monitor.window(label, now: Fixture.at(10)).currencies["USD"]!
            #expect(usd.count == 100)
            #expect(usd.sum == "5050")
            // Two significant digits: within 1 %.
            #expect(abs(usd.p50! - 50) <= 0.5)
            #expect(abs(usd.p90! - 90) <= 0.9)
            #expect(abs(usd.p99! - 99) <= 1)
        }
    }

    @Test func sumsAreExactDecimals_perCurrency() {
        let monitor = Fixture.monitor()
        for i in 0..<3 { monitor.feed(Fixture.tx("u\(i)", amount: "0.1", at: Double(i))) }
        monitor.feed(Fixture.tx("e", amount: "129.9", currency: "EUR", at: 3))
        monitor.feed(Fixture.tx("j", amount: "0.0001", currency: "EUR", at: 4))
        let window = monitor.window("1m", now: Fixture.at(4))
        #expect(window.currencies["USD"]?.sum == "0.3")
        #expect(window.currencies["EUR"]?.sum == "129.9001")
        #expect(window.currencies["EUR"]?.count == 2)
    }

    @Test func currenciesBeyondTheCap_areCountedAsOther() {
        let monitor = Fixture.monitor { $0.maxCurrencies = 2 }
        for (i, code) in ["USD", "EUR", "BRL", "JPY", "USD"].enumerated() {
            monitor.feed(Fixture.tx("t\(i)", currency: code, at: Double(i)))
        }
        let window = monitor.window("1m", now: Fixture.at(4))
        #expect(Set(window.currencies.keys) == ["USD", "EUR", "other"])
        #expect(window.currencies["other"] == CurrencyStatistics(count: 2))
        #expect(window.currencies["USD"]?.count == 2)
    }

    @Test func topKCountries_restAreOther_andMissingAreUnknown() {
        let monitor = Fixture.monitor { $0.topCountries = 2 }
        let countries: [String?] = ["US", "US", "US", "BR", "BR", "DE", "DE", "FR", nil]
        for (i, country) in countries.enumerated() {
            monitor.feed(Fixture.tx("t\(i)", at: Double(i), country: country))
        }
        for label in ["1m", "total"] {
            let window = monitor.window(label, now: Fixture.at(8))
            // BR and DE tie on 2: the tie goes to the code that sorts first.
            #expect(window.byCountry == ["US": 3, "BR": 2, "other": 3, "unknown": 1])
        }
    }

    @Test func countsByChannel_includeUnknown() {
        let monitor = Fixture.monitor()
        monitor.feed(Fixture.tx("a", at: 0, channel: .pix))
        monitor.feed(Fixture.tx("b", at: 1, channel: .pix))
        monitor.feed(Fixture.tx("c", at: 2, channel: nil))
        #expect(monitor.window("1m", now: Fixture.at(2)).byChannel == ["pix": 2, "unknown": 1])
    }

    @Test func snapshotJSON_isSnakeCaseWithWindowsKeyedByLabel() throws {
        let monitor = Fixture.monitor()
        monitor.feed(Fixture.tx("a", amount: "12.5", at: 0))
        let data = Data(try #require(StableJSON.bytes(monitor.snapshot(now: Fixture.at(0)))))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(
            Set(json.keys) == [
                "generated_at", "watermark", "window_end", "allowed_lateness_seconds", "late", "future", "windows",
                "total",
            ]
        )
        #expect(json["watermark"] as? String == "2023-11-14T22:13:20.000Z")
        let windows = try #require(json["windows"] as? [String: Any])
        #expect(Set(windows.keys) == ["1m", "5m", "15m"])
        let oneMinute = try #require(windows["1m"] as? [String: Any])
        #expect(
            Set(oneMinute.keys) == [
                "label", "length_seconds", "count", "rate_per_second", "currencies", "by_channel", "by_country",
            ]
        )
        let usd = try #require((oneMinute["currencies"] as? [String: Any])?["USD"] as? [String: Any])
        #expect(usd["sum"] as? String == "12.5")
        #expect(Set(usd.keys) == ["count", "sum", "p50", "p90", "p99"])
    }

    @Test func windowLengthNotDivisibleByBucketCount_stillTilesExactly() {
        let window = StatsWindow(lengthMilliseconds: 7000, bucketCount: 60, precision: .two)
        #expect(window.bucketCount == 56)
        #expect(window.bucketWidthMilliseconds == 125)
    }
}
