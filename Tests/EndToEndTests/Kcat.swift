import Foundation
import TestSupport

/// kcat, an independent Kafka client, reading records back the way an operator would.
enum Kcat {
    struct Record: Sendable {
        var key: String
        var value: String
        var partition: Int
        var offset: Int
        var headers: String
    }

    /// Reads topic from the beginning until `count` records arrived or `timeout` passed (kcat
    /// waits for records still on their way; it is killed at the deadline).
    static func consume(
        bootstrap: String,
        topic: String,
        count: Int,
        timeout: Duration = .seconds(30)
    ) throws -> [Record] {
        parse(
            try run(
                ["-b", bootstrap, "-C", "-t", topic, "-o", "beginning", "-c", String(count), "-q", "-f", format],
                timeout: timeout
            )
        )
    }

    /// Reads a whole topic from the beginning to its current end (kcat -e).
    static func consumeAll(bootstrap: String, topic: String, timeout: Duration = .seconds(30)) throws -> [Record] {
        parse(
            try run(
                ["-b", bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", format],
                timeout: timeout
            )
        )
    }

    /// Fields separated by ASCII unit separators: values are JSON and may contain anything printable.
    private static let format = "%k\u{1F}%p\u{1F}%o\u{1F}%h\u{1F}%s\u{1E}"

    private static func parse(_ output: String) -> [Record] {
        output.split(separator: "\u{1E}").compactMap { chunk in
            let fields = chunk.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 5 else { return nil }
            return Record(
                key: fields[0],
                value: fields[4],
                partition: Int(fields[1]) ?? -1,
                offset: Int(fields[2]) ?? -1,
                headers: fields[3]
            )
        }
    }

    /// Produces raw lines (e.g. junk) to a topic.
    static func produce(bootstrap: String, topic: String, lines: [String], timeout: Duration = .seconds(30)) throws {
        _ = try run(
            ["-b", bootstrap, "-P", "-t", topic],
            input: lines.joined(separator: "\n") + "\n",
            timeout: timeout
        )
    }

    /// Runs kcat with a deadline; it is killed by its PID when it overruns.
    static func run(_ arguments: [String], input: String? = nil, timeout: Duration) throws -> String {
        try runProcess("/usr/bin/kcat", arguments, input: input ?? "", timeout: timeout).stdout
    }
}
