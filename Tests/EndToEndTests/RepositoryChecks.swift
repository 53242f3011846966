import Foundation
import Testing

/// Checks of the files that describe the product (no Docker engine here, so the compose file is
/// checked for structure and cross-references; the OpenAPI document with a real validator).
@Suite(.timeLimit(.minutes(1)))
struct RepositoryChecks {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func python(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        process.currentDirectoryURL = root
        let output = ProcessOutput()
        process.standardOutput = output.pipe
        process.standardError = output.pipe
        try process.run()
        process.waitUntilExit()
        output.drain()
        return (process.terminationStatus, output.text)
    }

    @Test func dockerCompose_hasTheProductionShape() throws {
        let result = try Self.python(["scripts/check-compose.py", "docker-compose.yml"])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func openAPI_isAValidOpenAPI31Document() throws {
        let script = """
        import yaml
        from openapi_spec_validator import validate
        spec = yaml.safe_load(open('openapi.yaml'))
        assert spec['openapi'].startswith('3.1'), spec['openapi']
        validate(spec)
        print('ok')
        """
        let result = try Self.python(["-c", script])
        #expect(result.status == 0, "\(result.output)")
    }
}
