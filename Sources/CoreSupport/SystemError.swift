#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: its name and the `errno` it left.
///
/// One type for every module, so that retry decisions (EINTR: call again; EAGAIN: wait for
/// readiness) are spelled once and error messages read the same everywhere.
public struct SystemError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The call that failed, e.g. "recv" or "bind 127.0.0.1:8080".
    public let call: String
    public let code: Int32

    public init(_ call: String, code: Int32) {
        self.call = call
        self.code = code
    }

    /// The calling thread's current `errno`, read right after `call` failed.
    @inlinable public static func last(_ call: String) -> SystemError {
        SystemError(call, code: errno)
    }

    /// A signal interrupted the call before it did anything: call it again.
    @inlinable public var isInterrupted: Bool { code == EINTR }

    /// A non-blocking descriptor is not ready: wait for the next readiness event.
    @inlinable public var isWouldBlock: Bool { code == EAGAIN || code == EWOULDBLOCK }

    public var description: String {
        "\(call) failed: \(String(cString: strerror(code))) (errno \(code))"
    }
}
