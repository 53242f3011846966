/// The 200 answer to a batch, written once every record's outcome is known: a JSON array with
/// one element per item in request order, the accepted JSON of a record or the problem of an item
/// (malformed, invalid, or not acknowledged), straight into one buffer.
struct BatchAnswer: Sendable {
    private enum Slot: Sendable {
        /// A produced record: its answer comes from the next outcome.
        case record(id: String)
        /// An item refused before producing: its problem, rendered already.
        case problem([UInt8])
    }

    private let slots: [Slot]
    private let topic: String

    /// `items` in request order; their valid ones were produced in that order.
    init(items: [TransactionsRoute.BatchItem], topic: String) {
        slots = items.map { item in
            switch item {
            case .valid(let transaction): .record(id: transaction.id)
            case .rejected(let problem): .problem(problem.jsonBytes())
            }
        }
        self.topic = topic
    }

    /// `outcomes`: one per produced record, in the order they were produced.
    func body(_ outcomes: [ProduceOutcome]) -> [UInt8] {
        var body: [UInt8] = [UInt8(ascii: "[")]
        body.reserveCapacity(2 + slots.count * (112 + topic.utf8.count))
        var next = outcomes.startIndex
        for (index, slot) in slots.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            switch slot {
            case .problem(let json):
                body += json
            case .record(let id):
                switch outcomes[next] {
                case .accepted(let partition, let offset):
                    TransactionsRoute.appendAccepted(
                        id: id,
                        topic: topic,
                        partition: partition,
                        offset: offset,
                        to: &body
                    )
                case .failed(let failure):
                    body += GatewayProblems.kafkaUnavailable(failure).jsonBytes()
                }
                next += 1
            }
        }
        body.append(UInt8(ascii: "]"))
        return body
    }
}
