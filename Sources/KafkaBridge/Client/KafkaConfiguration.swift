/// Connection settings shared by producers and consumers, plus any librdkafka property passed
/// through untouched, so operators can tune anything librdkafka documents without a code change.
public struct KafkaConfiguration: Sendable {
    public var bootstrapServers: String
    /// Any librdkafka property (CONFIGURATION.md), applied after this bridge's defaults so an
    /// operator's explicit setting always wins. librdkafka validates names and values.
    public var properties: [String: String]

    public init(bootstrapServers: String, properties: [String: String] = [:]) {
        self.bootstrapServers = bootstrapServers
        self.properties = properties
    }

    /// Parses "key=value" strings as given to `-X key=value` (kcat's convention). The value may
    /// itself contain '=' (SASL JAAS strings do); only the first '=' separates.
    public static func parseProperties(_ pairs: [String]) throws -> [String: String] {
        var result: [String: String] = [:]
        for pair in pairs {
            guard let equals = pair.firstIndex(of: "=") else {
                throw KafkaConfigurationError(pair: pair, reason: "expected key=value")
            }
            let key = pair[..<equals].trimmingWhitespace()
            guard !key.isEmpty else {
                throw KafkaConfigurationError(pair: pair, reason: "empty property name")
            }
            result[key] = String(pair[pair.index(after: equals)...])
        }
        return result
    }

    /// Maps `KAFKA_*` environment variables to librdkafka properties: `KAFKA_LINGER_MS=5` becomes
    /// `linger.ms=5` (prefix dropped, lower-cased, '_' -> '.'), the convention of the Confluent
    /// container images. Names in `excluding` (e.g. `KAFKA_BOOTSTRAP_SERVERS`, which has its own
    /// setting) are skipped.
    public static func properties(fromEnvironment env: [String: String], excluding: Set<String>) -> [String: String] {
        let prefix = "KAFKA_"
        var result: [String: String] = [:]
        for (name, value) in env where name.hasPrefix(prefix) && !excluding.contains(name) {
            let property = String(name.dropFirst(prefix.count).lowercased().map { $0 == "_" ? "." : $0 })
            guard !property.isEmpty else { continue }
            result[property] = value
        }
        return result
    }
}

/// A `-X key=value` argument that is not of that form.
public struct KafkaConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let pair: String
    public let reason: String
    public var description: String { "invalid Kafka property \"\(pair)\": \(reason)" }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> String {
        String(drop(while: { $0.isWhitespace }).reversed().drop(while: { $0.isWhitespace }).reversed())
    }
}
