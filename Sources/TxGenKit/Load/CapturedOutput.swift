/// Collects everything written, for tests.
final class CapturedOutput: Output {
    private(set) var out: [UInt8] = []
    private(set) var err = ""

    var outText: String { String(decoding: out, as: UTF8.self) }

    func standardOutput(_ bytes: [UInt8]) { out.append(contentsOf: bytes) }
    func standardError(_ text: String) { err += text }
}
