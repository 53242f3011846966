import Synchronization

/// Labelled series looked up per event, made once per label set: swift-prometheus' own lookup
/// builds a string key per call, which showed up at ~6% of the CPU of a POST. The label sets are
/// bounded by their sources (known routes and methods, the keys file, librdkafka's error names).
final class SeriesCache<Key: Hashable & Sendable, Series: Sendable>: Sendable {
    private let series = Mutex<[Key: Series]>([:])

    /// The series for `key`, made by `make` the first time.
    func callAsFunction(_ key: Key, make: () -> Series) -> Series {
        series.withLock { cache in
            if let existing = cache[key] { return existing }
            let made = make()
            cache[key] = made
            return made
        }
    }
}
