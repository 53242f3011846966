import Foundation
import TestSupport
import Testing

/// Checks of the files that describe the product (no Docker engine here, so the compose file is
/// checked for structure and cross-references; the OpenAPI document with a real validator).
@Suite(.timeLimit(.minutes(1)))
struct RepositoryChecks {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func python(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let result = try runProcess(
            "/usr/bin/env", ["python3"] + arguments, currentDirectory: root, mergeErrorIntoOutput: true,
            timeout: .seconds(50))
        return (result.status, result.stdout)
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
