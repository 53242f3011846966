import CoreSupport

/// Errors from starting the server.
public enum HTTPServerError: Error, Equatable, CustomStringConvertible {
    case alreadyStarted
    case invalidAddress(String)
    /// A system call failed.
    case systemCall(SystemError)

    /// The system call named `call` just failed; reads `errno`.
    static func lastSystemError(_ call: String) -> HTTPServerError {
        .systemCall(.last(call))
    }

    public var description: String {
        switch self {
        case .alreadyStarted: "the server was already started"
        case .invalidAddress(let host): "cannot resolve listen address '\(host)'"
        case .systemCall(let error): error.description
        }
    }
}
