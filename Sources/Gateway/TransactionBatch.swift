import Foundation
import HTTPCore

/// Collects the per-item results of a batch and answers once every item has one.
///
/// Results arrive from delivery-report threads in any order; the answer keeps request order.
final class TransactionBatch: @unchecked Sendable {
    // Safe: `results` and `pending` are only touched while holding `lock`.
    private let lock = NSLock()
    private var results: [[UInt8]]
    private var pending: Int
    private let responder: HTTPResponder

    init(count: Int, responder: HTTPResponder) {
        results = Array(repeating: [], count: count)
        pending = count
        self.responder = responder
    }

    /// Records the JSON of item `index`; the last one sends the 200 with the whole array.
    func complete(_ index: Int, json: [UInt8]) {
        lock.lock()
        results[index] = json
        pending -= 1
        let done = pending == 0
        lock.unlock()
        if done { responder.respond(.json(200, joined())) }
    }

    private func joined() -> [UInt8] {
        lock.lock(); defer { lock.unlock() }
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
