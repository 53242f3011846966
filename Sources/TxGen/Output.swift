import Foundation

/// Where the command writes: the process's standard streams, or memory in tests.
protocol Output: AnyObject {
    func standardOutput(_ bytes: [UInt8])
    func standardError(_ text: String)
}

extension Output {
    func line(_ text: String) { standardOutput(Array((text + "\n").utf8)) }
    func errorLine(_ text: String) { standardError(text + "\n") }
}

/// The real stdout and stderr, written with write(2): callers already hand over large chunks
/// (dry runs write 64 KiB at a time), and this keeps clear of C stdio's global FILE pointers.
final class StandardStreams: Output {
    func standardOutput(_ bytes: [UInt8]) { Self.writeAll(bytes, to: STDOUT_FILENO) }

    func standardError(_ text: String) { Self.writeAll(Array(text.utf8), to: STDERR_FILENO) }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return  // closed pipe (e.g. `| head`): nothing sensible left to do with output
                }
                offset += written
            }
        }
    }
}

/// Collects everything written, for tests.
final class CapturedOutput: Output {
    private(set) var out: [UInt8] = []
    private(set) var err = ""

    var outText: String { String(decoding: out, as: UTF8.self) }

    func standardOutput(_ bytes: [UInt8]) { out.append(contentsOf: bytes) }
    func standardError(_ text: String) { err += text }
}
