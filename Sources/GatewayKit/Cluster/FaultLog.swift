import Foundation
import Logging
import Synchronization

/// The faults caused through the API, newest last, at most `capacity` of them: each is logged
/// (warning: an operator should see that someone broke the cluster on purpose) and listed in the
/// cluster view with its time.
final class FaultLog: Sendable {
    static let capacity = 100
    private let records = Mutex<[FaultRecord]>([])
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    var all: [FaultRecord] { records.withLock { $0 } }

    @discardableResult
    func add(action: String, target: String, detail: String, at date: Date = Date()) -> FaultRecord {
        let record = FaultRecord(at: RFC3339.format(date), action: action, target: target, detail: detail)
        logger.warning(
            "fault caused through the API",
            metadata: ["action": .string(action), "target": .string(target), "detail": .string(detail)]
        )
        records.withLock { records in
            records.append(record)
            if records.count > Self.capacity { records.removeFirst(records.count - Self.capacity) }
        }
        return record
    }
}
