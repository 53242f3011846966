import ArgumentParser
import Foundation
import Testing

@testable import TxGen
@testable import TxGenKit

@Suite struct CommandTests {
    @Test func dryRun_writesParseableNDJSON() throws {
        let command = try TxGenCommand.parse(["--dry-run", "--count", "500", "--seed", "7", "--quiet"])
        let output = CapturedOutput()
        #expect(command.execute(output: output) == 0)
        let lines = output.outText.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.last == "", "ends with a newline")
        #expect(lines.count == 501)
        for line in lines.dropLast() {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["id"] is String, "line is not a transaction object: \(line)")
        }
        #expect(output.err.isEmpty, "--quiet writes nothing to stderr")
    }

    @Test func dryRun_isTheSameStreamAsTheGenerator() throws {
        let command = try TxGenCommand.parse([
            "--dry-run", "--count", "2000", "--seed", "31", "--event-step", "100ms", "--quiet",
        ])
        let output = CapturedOutput()
        #expect(command.execute(output: output) == 0)
        #expect(output.outText == generate(seed: 31, count: 2_000, fraudShare: 0.01).ndjson)
    }

    @Test func dryRun_withDuration_writesRateTimesDuration_andTheExpectReport() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("txgen-expect-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let command = try TxGenCommand.parse([
            "--dry-run", "--rate", "1500", "--duration", "2s", "--seed", "3",
            "--fraud-share", "0.05", "--expect-report", path,
        ])
        let output = CapturedOutput()
        #expect(command.execute(output: output) == 0)
        let stream = try #require(WireTransaction.decode(output.outText))
        #expect(stream.count == 3_000)
        #expect(output.err.contains("wrote 3000 transactions"))
        let report = try ExpectReport.read(from: Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(!report.entries.isEmpty)
        let ids = Set(stream.map(\.id))
        #expect(report.entries.allSatisfy { $0.transactionIDs.allSatisfy(ids.contains) })
    }

    @Test func idPrefixAndStartTime_areHonoured() throws {
        let command = try TxGenCommand.parse([
            "--dry-run", "--count", "3", "--seed", "1", "--quiet",
            "--id-prefix", "run.7", "--start-time", "2026-11-25T16:20:00Z",
            "--event-step", "250ms",
        ])
        let output = CapturedOutput()
        #expect(command.execute(output: output) == 0)
        let stream = try #require(WireTransaction.decode(output.outText))
        #expect(stream.map(\.id) == ["run.7-00000000", "run.7-00000001", "run.7-00000002"])
        #expect(
            stream.map(\.timestampText) == [
                "2026-11-25T16:20:00.000Z", "2026-11-25T16:20:00.250Z",
                "2026-11-25T16:20:00.500Z",
            ]
        )
    }

    @Test(arguments: [
        (["--url", "ftp://127.0.0.1/x"], "is not http or https"),
        (["--url", "http://[::1"], "invalid URL"),
        (["--batch", "1001"], "--batch"),
        (["--duration", "5 parsecs"], "duration"),
        (["--fraud-share", "1.5"], "--fraud-share"),
        (["--id-prefix", "bad prefix"], "--id-prefix"),
        (["--dry-run", "--rate", "0"], "--dry-run needs"),
    ])
    func badArguments_areRejectedWithAClearMessage(arguments: [String], expected: String) {
        #expect {
            _ = try TxGenCommand.parse(arguments)
        } throws: { error in
            let message = TxGenCommand.message(for: error)
            return message.contains(expected) && TxGenCommand.exitCode(for: error) == .validationFailure
        }
    }

    @Test func durationValue_acceptsUnitSuffixes() {
        #expect(DurationValue(argument: "30s")?.nanoseconds == 30_000_000_000)
        #expect(DurationValue(argument: "250ms")?.nanoseconds == 250_000_000)
        #expect(DurationValue(argument: "2m")?.nanoseconds == 120_000_000_000)
        #expect(DurationValue(argument: "1.5")?.nanoseconds == 1_500_000_000)
        #expect(DurationValue(argument: "-1s") == nil)
        #expect(DurationValue(argument: "soon") == nil)
    }
}
