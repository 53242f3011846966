import Synchronization

/// One place of the pool: the producer serving it now (replaced when it cannot recover) and the
/// delivery outcomes of the place, which outlive any one producer.
///
/// Reading the current producer is one atomic load, no lock: the slot keeps every producer it ever
/// held alive (`generations`), so a reference loaded just before a swap stays valid; that producer
/// is closed, so a call on it throws `_DESTROY` and the pool retries on the new one. A closed
/// producer is a few small objects (its librdkafka handle and threads are gone), and replacements
/// are rare (each is logged at error level), so keeping them costs next to nothing.
final class ProducerSlot: Sendable {
    let index: Int
    let health: DeliveryHealth
    /// The current producer's address (`Unmanaged`), as an integer: `Atomic` of a pointer is not
    /// `Sendable`, and `generations` is what keeps the object alive anyway.
    private let current: Atomic<UInt>
    private let generations: Mutex<[KafkaProducer]>
    /// Set from the request of a replacement until it is over (the old producer closed): the fatal
    /// error callback and a failing delivery report may both ask, and one replacement at a time
    /// runs per slot.
    private let replacing = Atomic(false)

    init(index: Int, health: DeliveryHealth, producer: KafkaProducer) {
        self.index = index
        self.health = health
        generations = Mutex([producer])
        current = Atomic(UInt(bitPattern: Unmanaged.passUnretained(producer).toOpaque()))
    }

    var producer: KafkaProducer {
        Unmanaged<KafkaProducer>.fromOpaque(UnsafeRawPointer(bitPattern: current.load(ordering: .acquiring))!)
            .takeUnretainedValue()
    }

    /// How many producers this slot had before the current one: a producer's callbacks name their
    /// generation, so a late error from a replaced producer does not replace its successor.
    var generation: Int {
        generations.withLock { $0.count - 1 }
    }

    /// Whether this call won the right to replace the producer (false: a replacement is under way).
    func beginReplacement() -> Bool {
        replacing.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
    }

    /// Puts `fresh` in place and returns the producer it replaces (still open: the caller closes it).
    func install(_ fresh: KafkaProducer) -> KafkaProducer {
        let old = generations.withLock { generations in
            generations.append(fresh)
            return producer
        }
        current.store(UInt(bitPattern: Unmanaged.passUnretained(fresh).toOpaque()), ordering: .releasing)
        return old
    }

    /// The replacement is over (done, or not made): a later failure may ask again.
    func endReplacement() {
        replacing.store(false, ordering: .releasing)
    }
}
