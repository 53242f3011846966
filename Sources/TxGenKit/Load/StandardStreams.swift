import Foundation

/// The real stdout and stderr, written with write(2): callers already hand over large chunks
/// (dry runs write 64 KiB at a time), and this keeps clear of C stdio's global FILE pointers.
package final class StandardStreams: Output {
    package init() {}

    package func standardOutput(_ bytes: [UInt8]) { Self.writeAll(bytes, to: STDOUT_FILENO) }

    package func standardError(_ text: String) { Self.writeAll(Array(text.utf8), to: STDERR_FILENO) }

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
