#if canImport(Glibc)
import Glibc
#endif

/// Errors from starting the server.
public enum HTTPServerError: Error, Equatable, CustomStringConvertible {
    case alreadyStarted
    case invalidAddress(String)
    /// A system call failed; `errno` is its error number.
    case systemCall(String, errno: Int32)

    public var description: String {
        switch self {
        case .alreadyStarted: "the server was already started"
        case .invalidAddress(let host): "cannot resolve listen address '\(host)'"
        case .systemCall(let call, let code): "\(call) failed: \(String(cString: strerror(code))) (errno \(code))"
        }
    }
}
