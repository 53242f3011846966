import HTTPCore
import Synchronization

/// Collects the per-item results of a batch and answers once every item has one.
///
/// Results arrive from delivery-report threads in any order; the answer keeps request order.
final class TransactionBatch: Sendable {
    private struct State {
        var results: [[UInt8]]
        var pending: Int
    }

    private let state: Mutex<State>
    private let responder: HTTPResponder

    init(count: Int, responder: HTTPResponder) {
        state = Mutex(State(results: Array(repeating: [], count: count), pending: count))
        self.responder = responder
    }

    /// Records the JSON of item `index`; the last one sends the 200 with the whole array.
    func complete(_ index: Int, json: [UInt8]) {
        let finished: [[UInt8]]? = state.withLock { state in
            state.results[index] = json
            state.pending -= 1
            return state.pending == 0 ? state.results : nil
        }
        if let finished { responder.respond(.json(.ok, Self.joined(finished))) }
    }

    private static func joined(_ results: [[UInt8]]) -> [UInt8] {
        var body: [UInt8] = [UInt8(ascii: "[")]
        body.reserveCapacity(results.reduce(2) { $0 + $1.count + 1 })
        for (i, item) in results.enumerated() {
            if i > 0 { body.append(UInt8(ascii: ",")) }
            body += item
        }
        body.append(UInt8(ascii: "]"))
        return body
    }
}
