import Foundation

/// Environment-variable defaults for command-line options, so each flag has a `GATEWAY_*` or
/// `KAFKA_*` twin; a flag given on the command line still wins.
enum Environment {
    static let values = ProcessInfo.processInfo.environment

    static func string(_ name: String, _ fallback: String) -> String { values[name] ?? fallback }
    static func string(_ name: String) -> String? { values[name].flatMap { $0.isEmpty ? nil : $0 } }
    static func int(_ name: String, _ fallback: Int) -> Int { values[name].flatMap { Int($0) } ?? fallback }
    static func bool(_ name: String, _ fallback: Bool) -> Bool {
        guard let value = values[name]?.lowercased() else { return fallback }
        return ["1", "true", "yes", "on"].contains(value)
    }
}
