import Foundation
import Testing

/// The live dashboard in a real browser: the gateway (embedded cluster) takes transactions, and the
/// page, fed by `/events`, must show the figures `/stats` gives and an alert `/alerts` holds.
/// Debian's headless chromium runs the page; the screenshot goes to `.build/dashboard.png` (and to
/// `docs/dashboard.png` with `UPDATE_DASHBOARD_SCREENSHOT=1`).
@Suite(.serialized, .timeLimit(.minutes(2)))
struct DashboardEndToEndTests {
    static let currencies = ["BRL", "USD", "EUR"]
    static let channels = ["card_present", "card_not_present", "pix", "transfer"]
    static let countries = ["BR", "US", "DE", "AR", "PT"]

    /// 24 transactions on distinct accounts, one event time (so no window evicts any while the test
    /// runs), the last one above the high-amount threshold (one `high_amount` alert).
    static func transactions(at time: String) -> [String] {
        (0..<24).map { index in
            let amount = index == 23 ? "15000.00" : "\(10 + index * 7).\(String(format: "%02d", index * 3 % 100))"
            return
                #"{"id":"dash-\#(index)","account_id":"acc-dash-\#(index)","amount":"\#(amount)","currency":"\#(currencies[index % 3])","merchant_id":"m-\#(index)","country":"\#(countries[index % 5])","channel":"\#(channels[index % 4])","timestamp":"\#(time)"}"#
        }
    }

    @Test func dashboard_showsTheFiguresOfStats_andTheNewestAlert() async throws {
        let gateway = try GatewayProcess.start()
        defer { gateway.stop() }
        let time = ISO8601DateFormatter().string(from: Date())
        let batch = try await HTTPClient.send(
            "POST",
            "\(gateway.baseURL)/transactions",
            body: Self.transactions(at: time).joined(separator: "\n"),
            headers: ["Content-Type": "application/x-ndjson"]
        )
        #expect(batch.status == 200)
        let alert = try await Self.waitForStats(gateway, count: 24)

        let page = try await HTTPClient.send("GET", "\(gateway.baseURL)/")
        #expect(page.status == 200)
        #expect(page.header("Content-Type") == "text/html; charset=utf-8")
        #expect(
            !page.text.contains("http://") && !page.text.contains("https://"),
            "the page loads nothing from elsewhere"
        )

        let browser = try HeadlessChromium(width: 1280, height: 900)
        defer {
            browser.close()
            #expect(!browser.groupIsAlive, "no chromium process is left running")
        }
        try browser.navigate(to: "\(gateway.baseURL)/")
        let shown = try browser.waitUntil(
            #"document.querySelector('td[data-window="total"][data-field="count"]')?.textContent === "24" && !!document.querySelector('li[data-alert-id="\#(alert.id)"]') && !!document.querySelector('#chart-rate path')"#,
            timeout: .seconds(15)
        )
        #expect(shown, "the page shows 24 transactions, the alert and a chart")

        // The page's figures equal /stats (a later snapshot may differ in rates over time only, so
        // the comparison is repeated, bounded, until both are read from the same state).
        var expected: [String: String] = [:]
        var onPage: [String: String] = [:]
        let deadline = ContinuousClock.now + .seconds(10)
        repeat {
            let stats = try await HTTPClient.send("GET", "\(gateway.baseURL)/stats").json()
            expected = try Self.figures(of: stats)
            onPage = try Self.figures(on: browser)
            if expected == onPage { break }
            try await Task.sleep(for: .milliseconds(300))
        } while ContinuousClock.now < deadline
        #expect(!expected.isEmpty)
        #expect(onPage == expected)

        let rule =
            try browser.evaluate(#"document.querySelector('li[data-alert-id="\#(alert.id)"]').dataset.rule"#) as? String
        #expect(rule == alert.rule)

        let png = try browser.screenshot()
        defer {
            // SIGTERM with the dashboard still open: the server ends the stream, the exit is clean.
            #expect(gateway.stop() == 0)
        }
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG")
        try png.write(to: RepositoryChecks.root.appendingPathComponent(".build/dashboard.png"))
        if ProcessInfo.processInfo.environment["UPDATE_DASHBOARD_SCREENSHOT"] == "1" {
            try png.write(to: RepositoryChecks.root.appendingPathComponent("docs/dashboard.png"))
        }
    }

    @Test func dashboard_showsEachWebhookEndpointsHealth() async throws {
        let receiver = try WebhookReceiver(["--always", "/fail=500"])
        defer { receiver.stop() }
        let gateway = try GatewayProcess.start(
            AlertWebhookEndToEndTests.webhookArguments([receiver.url + "/ok", receiver.url + "/fail"], backoffMs: 50)
                + ["--alert-webhook-max-attempts", "2"]
        )
        defer { gateway.stop() }
        try await AlertWebhookEndToEndTests.postAlerting(gateway, id: "dash-hook", account: "acc-dash")

        let browser = try HeadlessChromium(width: 1280, height: 900)
        defer { browser.close() }
        try browser.navigate(to: "\(gateway.baseURL)/")
        let shown = try browser.waitUntil(
            #"document.querySelector('tr[data-endpoint="\#(receiver.url)/ok"] td[data-field="delivered"]')?.textContent === "1" && document.querySelector('tr[data-endpoint="\#(receiver.url)/fail"] td[data-field="dead_lettered"]')?.textContent === "1""#,
            timeout: .seconds(30)
        )
        #expect(shown, "the page shows the healthy endpoint's delivery and the failing one's dead letter")
        let circuit = try browser.evaluate(
            #"document.querySelector('tr[data-endpoint="\#(receiver.url)/ok"]').dataset.circuit"#
        )
        #expect(circuit as? String == "closed")
        try browser.screenshot().write(
            to: RepositoryChecks.root.appendingPathComponent(".build/dashboard-webhooks.png")
        )
    }

    /// Waits (bounded) until /stats counts `count` transactions and /alerts holds an alert; returns it.
    static func waitForStats(_ gateway: GatewayProcess, count: Int) async throws -> (id: String, rule: String) {
        let deadline = ContinuousClock.now + .seconds(30)
        var last = ""
        while ContinuousClock.now < deadline {
            let stats = try await HTTPClient.send("GET", "\(gateway.baseURL)/stats")
            last = stats.text
            let total = (try stats.json()["total"] as? [String: Any])?["count"] as? Int
            let alerts =
                try await HTTPClient.send("GET", "\(gateway.baseURL)/alerts").json()["alerts"] as? [[String: Any]] ?? []
            if total == count, let first = alerts.first, let id = first["id"] as? String,
                let rule = first["rule"] as? String
            {
                return (id, rule)
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw TestFailure("/stats did not reach \(count) transactions with an alert:\n\(last)")
    }

    /// "window|figure" -> text, from the /stats document, as the page prints it (thousands
    /// separators removed on both sides). Rates of "total" change with the clock and are left out.
    static func figures(of stats: [String: Any]) throws -> [String: String] {
        let windows = (stats["windows"] as? [String: [String: Any]] ?? [:]).map { $0.value }
        guard let total = stats["total"] as? [String: Any] else { throw TestFailure("no total in /stats") }
        let all = windows + [total]
        var figures: [String: String] = [:]
        func keys(_ field: String) -> Set<String> {
            Set(all.flatMap { ($0[field] as? [String: Any] ?? [:]).keys })
        }
        for window in all {
            let label = window["label"] as? String ?? "?"
            figures["\(label)|count"] = "\(window["count"] as? Int ?? -1)"
            if label != "total", let rate = window["rate_per_second"] as? Double {
                figures["\(label)|rate_per_second"] = String(format: "%.2f", rate)
            }
            let currencies = window["currencies"] as? [String: [String: Any]] ?? [:]
            for code in keys("currencies") {
                figures["\(label)|currency:\(code):sum"] = currencies[code]?["sum"] as? String ?? "–"
                figures["\(label)|currency:\(code):count"] = "\(currencies[code]?["count"] as? Int ?? 0)"
            }
            for (field, kind) in [("by_channel", "channel"), ("by_country", "country")] {
                let counts = window[field] as? [String: Int] ?? [:]
                for key in keys(field) { figures["\(label)|\(kind):\(key)"] = "\(counts[key] ?? 0)" }
            }
        }
        return figures
    }

    /// The same figures as the page shows them, read from its data attributes.
    static func figures(on browser: HeadlessChromium) throws -> [String: String] {
        let script = #"""
            JSON.stringify([...document.querySelectorAll('td[data-window]')].flatMap((td) => {
              const w = td.dataset.window, d = td.dataset;
              if (d.currency) return [[w + '|currency:' + d.currency + ':sum', td.querySelector('[data-field=sum]').textContent],
                                      [w + '|currency:' + d.currency + ':count', td.querySelector('[data-field=count]').textContent]];
              if (d.channel) return [[w + '|channel:' + d.channel, td.textContent]];
              if (d.country) return [[w + '|country:' + d.country, td.textContent]];
              if (w === 'total' && d.field === 'rate_per_second') return [];
              return [[w + '|' + d.field, td.textContent]];
            }))
            """#
        guard let text = try browser.evaluate(script) as? String,
            let pairs = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String]]
        else {
            throw TestFailure("could not read the page's figures")
        }
        var figures: [String: String] = [:]
        for pair in pairs where pair.count == 2 { figures[pair[0]] = pair[1].replacingOccurrences(of: ",", with: "") }
        return figures
    }
}
