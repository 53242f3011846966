/// Writes metric families in the Prometheus text exposition format 0.0.4, for values read at
/// scrape time whose label sets come and go (window contents, lag of the partitions owned now),
/// which a registry of long-lived metric objects would keep reporting after they are gone.
struct PrometheusText {
    private(set) var text = ""

    /// One family: HELP and TYPE once, then a sample per label set.
    mutating func family(_ name: String, type: String, help: String, samples: [([(String, String)], Double)]) {
        family(name, type: type, help: help, namedSamples: samples.map { (name, $0.0, $0.1) })
    }

    /// A family whose samples carry their own names (a histogram's `_bucket`, `_sum`, `_count`).
    /// A family without samples is still declared (HELP and TYPE): its label values come from
    /// data (currencies, owned partitions), and a scrape should still say that the metric exists.
    mutating func family(
        _ name: String,
        type: String,
        help: String,
        namedSamples: [(String, [(String, String)], Double)]
    ) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        for (sampleName, labels, value) in namedSamples { sample(sampleName, labels, value) }
    }

    private mutating func sample(_ name: String, _ labels: [(String, String)], _ value: Double) {
        text += name
        if !labels.isEmpty {
            text += "{" + labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",") + "}"
        }
        text += " \(Self.format(value))\n"
    }

    /// Label values escape backslash, double quote and line feed (exposition format spec).
    static func escape(_ value: String) -> String {
        var out = ""
        for char in value {
            switch char {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(char)
            }
        }
        return out
    }

    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
