import Foundation
import TestSupport
import Testing

/// The workshop guide (docs/workshop.pt-BR.md) run as written: every command marked `<!-- run -->`
/// (those that need no Docker) runs in bash, in order, against a gateway started with the guide's
/// own `<!-- start -->` command, and its output must match each `<!-- expect: REGEX -->` after it:
/// what the guide says you should see. The English twin must run the same steps.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct WorkshopGuideTests {
    struct Step {
        var command: String
        var expectations: [String]
    }

    struct Guide {
        var start: String?
        var steps: [Step] = []
    }

    /// The marked blocks of a guide: a marker line, then a fenced block, then its expectations.
    static func parse(_ text: String) -> Guide {
        var guide = Guide()
        let lines = text.components(separatedBy: "\n")
        var index = 0
        func block(after marker: Int) -> (String, Int)? {
            var i = marker + 1
            guard i < lines.count, lines[i].hasPrefix("```") else { return nil }
            i += 1
            var body: [String] = []
            while i < lines.count, !lines[i].hasPrefix("```") {
                body.append(lines[i])
                i += 1
            }
            return (body.joined(separator: "\n"), i + 1)
        }
        while index < lines.count {
            let line = lines[index].trimmingCharacters(in: .whitespaces)
            if line == "<!-- start -->", let (command, next) = block(after: index) {
                guide.start = command
                index = next
            } else if line == "<!-- run -->", let (command, next) = block(after: index) {
                var step = Step(command: command, expectations: [])
                var i = next
                while i < lines.count, let match = lines[i].firstMatch(of: /^<!-- expect: (.*) -->$/) {
                    step.expectations.append(String(match.1))
                    i += 1
                }
                guide.steps.append(step)
                index = i
            } else {
                index += 1
            }
        }
        return guide
    }

    static func read(_ name: String) throws -> Guide {
        parse(try String(contentsOf: RepositoryChecks.root.appendingPathComponent("docs/\(name)"), encoding: .utf8))
    }

    /// What a step calls: the gateway paths and the programs, in order (the twins' commands differ
    /// only in their words).
    static func calls(_ step: Step) -> [String] {
        let pattern = #/localhost:8080(/[A-Za-z0-9/._?=-]*)|(txgen|kcat|jq|comm) /#
        return step.command.matches(of: pattern).map { String($0.output.1 ?? $0.output.2 ?? "") }
    }

    @Test func englishTwin_runsTheSameSteps() throws {
        let portuguese = try Self.read("workshop.pt-BR.md")
        let english = try Self.read("workshop.en.md")
        #expect(portuguese.steps.count >= 12)
        #expect(english.start == portuguese.start)
        #expect(english.steps.count == portuguese.steps.count)
        #expect(english.steps.map(Self.calls) == portuguese.steps.map(Self.calls))
        #expect(english.steps.map(\.expectations.count) == portuguese.steps.map(\.expectations.count))
    }

    @Test func portugueseGuide_commandsRunAsWritten_andShowWhatItSays() throws {
        let guide = try Self.read("workshop.pt-BR.md")
        let start = try #require(guide.start)
        let arguments = start.split(separator: " ").map(String.init)
        #expect(arguments.prefix(2) == [".build/release/gateway", "serve"])
        let gateway = try GatewayProcess.start(Array(arguments.dropFirst(2)))
        defer { gateway.stop() }
        let binaries = try GatewayProcess.binary().deletingLastPathComponent().path + "/"
        let workspace = FileManager.default.temporaryDirectory.appendingPathComponent("workshop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: workspace) }

        for (number, step) in guide.steps.enumerated() {
            // The guide's machine, this test's: its port, its build, its own /tmp.
            // The guide's /tmp first: the binaries' own path may lie under /tmp (a clone there).
            let command = step.command
                .replacingOccurrences(of: "/tmp/", with: workspace.path + "/")
                .replacingOccurrences(of: "localhost:8080", with: "127.0.0.1:\(gateway.port)")
                // txgen's default --url is the guide's localhost:8080.
                .replacingOccurrences(
                    of: ".build/release/txgen",
                    with: binaries + "txgen --url http://127.0.0.1:\(gateway.port)/transactions"
                )
                .replacingOccurrences(of: ".build/release/", with: binaries)
            let result = try runProcess(
                "/bin/bash",
                ["-c", command],
                currentDirectory: RepositoryChecks.root,
                mergeErrorIntoOutput: true,
                timeout: .seconds(90)
            )
            let output = result.stdout
            for pattern in step.expectations {
                let regex = try NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines])
                let found = regex.firstMatch(in: output, range: NSRange(output.startIndex..., in: output)) != nil
                #expect(found, "step \(number + 1): /\(pattern)/ not in the output of\n\(step.command)\n---\n\(output)")
            }
        }
    }
}
