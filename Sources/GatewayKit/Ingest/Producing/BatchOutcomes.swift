import Synchronization

/// Collects the outcomes of a batch's records as they arrive, from any thread in any order, and
/// hands them over once, in record order, when the last one is known: one atomic decrement per
/// record, no lock, no per-record answer.
///
/// `@unchecked Sendable`: each slot of `outcomes` is written by exactly one `record` call (one per
/// index), and read only by the call whose decrement reaches zero; the acquiring-and-releasing
/// decrement orders every write before that read.
final class BatchOutcomes: @unchecked Sendable {
    private let outcomes: UnsafeMutableBufferPointer<ProduceOutcome>
    private let remaining: Atomic<Int>
    private let completion: @Sendable ([ProduceOutcome]) -> Void

    /// `count` must be at least 1: the completion runs when the last of them is recorded.
    init(count: Int, completion: @escaping @Sendable ([ProduceOutcome]) -> Void) {
        precondition(count > 0, "a batch of outcomes needs at least one record")
        outcomes = .allocate(capacity: count)
        remaining = Atomic(count)
        self.completion = completion
    }

    deinit {
        outcomes.deallocate()
    }

    /// Records the outcome of record `index` (once per index); the last one runs the completion.
    func record(_ index: Int, _ outcome: ProduceOutcome) {
        (outcomes.baseAddress! + index).initialize(to: outcome)
        guard remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 else { return }
        let all = Array(outcomes)
        outcomes.baseAddress!.deinitialize(count: outcomes.count)
        completion(all)
    }
}
