/// A FIFO queue with a hard capacity, O(1) append and removal at the front.
///
/// Storage grows on demand (doubling) up to `capacity`, so a large configured capacity costs
/// nothing until traffic needs it. Used by `DedupeWindow` for its eviction order.
struct RingBuffer<Element> {
    let capacity: Int
    private var storage: [Element] = []
    private var head = 0
    private(set) var count = 0

    init(capacity: Int) {
        precondition(capacity > 0, "ring buffer capacity must be positive")
        self.capacity = capacity
    }

    var isEmpty: Bool { count == 0 }
    var isFull: Bool { count == capacity }
    var first: Element? { isEmpty ? nil : storage[head] }

    mutating func append(_ element: Element) {
        precondition(!isFull, "append to a full ring buffer")
        if count == storage.count { growStorage() }
        if count == storage.count {
            storage.append(element)
        } else {
            storage[(head + count) % storage.count] = element
        }
        count += 1
    }

    @discardableResult
    mutating func removeFirst() -> Element {
        precondition(!isEmpty, "removeFirst on an empty ring buffer")
        let element = storage[head]
        head = (head + 1) % storage.count
        count -= 1
        return element
    }

    /// Re-lays the elements out in order from index 0 so that appends can extend the array.
    private mutating func growStorage() {
        guard head != 0 else { return }
        storage = Array(storage[head...] + storage[..<head])
        head = 0
    }
}

extension RingBuffer: Sendable where Element: Sendable {}
