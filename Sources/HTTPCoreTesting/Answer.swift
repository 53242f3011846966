import HTTPCore
import Synchronization

/// The one response of a request: set from any thread, awaited with a bound. The waiter suspends
/// on a continuation that the response or the deadline resumes, whichever comes first.
final class Answer: Sendable {
    private enum State {
        case pending
        case answered(HTTPResponse)
        case awaited(CheckedContinuation<HTTPResponse?, Never>)
        case finished
    }

    private let state = Mutex(State.pending)

    /// Hands over the response (nil: the deadline passed); only the first call counts.
    func finish(_ response: HTTPResponse?) {
        let waiter = state.withLock { state -> CheckedContinuation<HTTPResponse?, Never>? in
            switch state {
            case .pending:
                // A deadline before the waiter arrived: it then finds `.finished` and gets nil.
                state = response.map(State.answered) ?? .finished
                return nil
            case .awaited(let continuation):
                state = .finished
                return continuation
            case .answered, .finished:
                return nil
            }
        }
        waiter?.resume(returning: response)
    }

    /// The response, or nil if none came within `timeout`. Called once.
    func wait(timeout: Duration) async -> HTTPResponse? {
        let deadline = Task { [self] in
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            finish(nil)
        }
        defer { deadline.cancel() }
        return await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> HTTPResponse?? in
                switch state {
                case .pending:
                    state = .awaited(continuation)
                    return nil
                case .answered(let response):
                    state = .finished
                    return .some(response)
                case .awaited, .finished:
                    return .some(nil)
                }
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
