import Foundation
import Logging

/// How a setting's text becomes a value, and back for `--help`. One parser for flags and
/// environment variables alike.
package struct ValueForm<Value> {
    /// The accepted form in words ("a whole number from 0 to 65535").
    package let description: String
    private let parser: (String) -> Value?
    let describe: (Value) -> String

    package init(_ description: String, parse: @escaping (String) -> Value?, describe: @escaping (Value) -> String) {
        self.description = description
        parser = parse
        self.describe = describe
    }

    func parse(_ text: String) throws(ValueError) -> Value {
        guard let value = parser(text) else { throw ValueError(expected: description) }
        return value
    }
}

extension ValueForm where Value == String {
    package static var text: Self { Self("a non-empty text", parse: { $0.isEmpty ? nil : $0 }, describe: { $0 }) }
}

extension ValueForm where Value == Int {
    package static func integer(_ range: ClosedRange<Int>, _ description: String) -> Self {
        Self(description, parse: { Int($0).flatMap { range.contains($0) ? $0 : nil } }, describe: { "\($0)" })
    }

    package static var port: Self { integer(0...65535, "a whole number from 0 to 65535") }
    package static func atLeast(_ minimum: Int) -> Self {
        integer(minimum...Int.max, "a whole number of at least \(minimum)")
    }
}

extension ValueForm where Value == Duration {
    /// Whole milliseconds, at least 1.
    package static var milliseconds: Self {
        Self(
            "a whole number of milliseconds, at least 1",
            parse: { Int($0).flatMap { $0 >= 1 ? .milliseconds($0) : nil } },
            describe: { "\(MillisecondsText.of($0))" }
        )
    }

    /// Milliseconds with a fraction (librdkafka's `linger.ms` takes 0.5), at least 0.
    package static var fractionalMilliseconds: Self {
        Self(
            "a number of milliseconds, 0 or more (0.5 allowed)",
            parse: {
                Double($0).flatMap { $0 >= 0 && $0 <= 900_000 ? .microseconds(Int(($0 * 1000).rounded())) : nil }
            },
            describe: { MillisecondsText.of($0) }
        )
    }

    /// Whole seconds, at least `minimum`.
    package static func seconds(atLeast minimum: Int) -> Self {
        Self(
            "a whole number of seconds, at least \(minimum)",
            parse: { Int($0).flatMap { $0 >= minimum ? .seconds($0) : nil } },
            describe: { "\($0.components.seconds)" }
        )
    }
}

extension ValueForm where Value == [Duration] {
    /// Comma-separated whole seconds, each at least 1 ("60,300,900").
    package static var secondsList: Self {
        Self(
            "comma-separated whole seconds, each at least 1, like 60,300,900",
            parse: { text in
                let values = text.split(separator: ",", omittingEmptySubsequences: false)
                    .map { Int($0.trimmingCharacters(in: .whitespaces)) }
                guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) >= 1 }) else { return nil }
                return values.map { .seconds($0 ?? 0) }
            },
            describe: { $0.map { "\($0.components.seconds)" }.joined(separator: ",") }
        )
    }
}

extension ValueForm where Value == Double {
    /// Seconds with a fraction, greater than 0 (rule windows).
    package static var positiveSeconds: Self {
        Self(
            "a number of seconds greater than 0",
            parse: { Double($0).flatMap { $0 > 0 && $0.isFinite ? $0 : nil } },
            describe: { $0.rounded() == $0 ? "\(Int($0))" : "\($0)" }
        )
    }
}

extension ValueForm where Value == Amount {
    static var amount: Self {
        Self(
            "a decimal greater than 0 with at most \(Amount.maxIntegerDigits) integer and \(Amount.maxFractionDigits) fraction digits",
            parse: { try? Amount(validating: $0) },
            describe: { $0.description }
        )
    }
}

extension ValueForm where Value == Logger.Level {
    package static var logLevel: Self {
        Self(
            "one of " + Logger.Level.allCases.map(\.rawValue).joined(separator: ", "),
            parse: { Logger.Level(rawValue: $0) },
            describe: { $0.rawValue }
        )
    }
}

/// "10000" for whole milliseconds, "0.5" for a fraction.
private enum MillisecondsText {
    static func of(_ duration: Duration) -> String {
        let microseconds = duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
        return microseconds % 1000 == 0 ? "\(microseconds / 1000)" : "\(Double(microseconds) / 1000)"
    }
}
