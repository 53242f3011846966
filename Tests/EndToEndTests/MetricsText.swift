import Foundation
import TestSupport

/// Reads sample values out of Prometheus text, and checks the text with the reference parser.
enum MetricsText {
    /// The value of the sample with exactly this name and these labels (order-insensitive).
    static func value(_ text: String, _ name: String, _ labels: [String: String] = [:]) -> Double? {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            let series = line[..<space]
            let (sampleName, sampleLabels) = parse(series)
            if sampleName == name && sampleLabels == labels { return Double(line[line.index(after: space)...]) }
        }
        return nil
    }

    private static func parse(_ series: Substring) -> (String, [String: String]) {
        guard let brace = series.firstIndex(of: "{") else { return (String(series), [:]) }
        var labels: [String: String] = [:]
        for match in series[brace...].matches(of: /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/) {
            labels[String(match.1)] = String(match.2)
        }
        return (String(series[..<brace]), labels)
    }

    /// Parses with the Python `prometheus_client` text parser (the reference implementation);
    /// returns the family names, or throws with the parser's complaint.
    static func parseWithPrometheusClient(_ text: String) throws -> Set<String> {
        let script = """
            import sys
            from prometheus_client.parser import text_string_to_metric_families
            for family in text_string_to_metric_families(sys.stdin.read()):
                print(family.name)
            """
        let result = try runProcess(
            "/usr/bin/env",
            ["python3", "-c", script],
            input: text,
            mergeErrorIntoOutput: true,
            timeout: .seconds(30)
        )
        guard result.status == 0 else { throw TestFailure("prometheus_client rejected /metrics:\n\(result.stdout)") }
        return Set(result.stdout.split(separator: "\n").map(String.init))
    }

    /// `promtool check metrics` (Debian's prometheus package) on the text: its exit status and
    /// everything it said (empty when it has no complaint). A missing promtool fails (status 127).
    static func checkWithPromtool(_ text: String) throws -> (status: Int32, output: String) {
        let result = try runProcess(
            "/usr/bin/env",
            ["promtool", "check", "metrics"],
            input: text,
            mergeErrorIntoOutput: true,
            timeout: .seconds(30)
        )
        return (result.status, result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
