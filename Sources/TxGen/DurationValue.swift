import ArgumentParser
import Foundation

/// A command-line duration: "30s", "500ms", "2m", "1h", or a bare number of seconds.
struct DurationValue: ExpressibleByArgument, Sendable, Equatable, CustomStringConvertible {
    let nanoseconds: UInt64

    init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    init?(argument: String) {
        let text = argument.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9)]
        var number = Substring(text)
        var scale = 1e9
        for (suffix, nanos) in units where text.hasSuffix(suffix) {
            number = text.dropLast(suffix.count)
            scale = nanos
            break
        }
        guard let value = Double(number), value.isFinite, value >= 0, value * scale < 1e18 else { return nil }
        nanoseconds = UInt64((value * scale).rounded())
    }

    var seconds: Double { Double(nanoseconds) / 1e9 }
    var milliseconds: Int { Int(nanoseconds / 1_000_000) }

    var description: String {
        if nanoseconds % 1_000_000_000 == 0 { return "\(nanoseconds / 1_000_000_000)s" }
        if nanoseconds % 1_000_000 == 0 { return "\(nanoseconds / 1_000_000)ms" }
        return "\(Double(nanoseconds) / 1e6)ms"
    }

    var defaultValueDescription: String { description }
}
