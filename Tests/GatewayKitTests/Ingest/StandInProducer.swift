import Dispatch
import Synchronization

@testable import GatewayKit

/// A producer for route tests: answers each record from another thread, as librdkafka's delivery
/// reports do, in the way it is told (accept, refuse at once, time out, or hold until released).
final class StandInProducer: RecordProducer {
    enum Behaviour: Sendable {
        case accept
        case queueFull
        case timeOut
        case hold
    }

    struct Produced: Sendable, Equatable {
        let topic: String
        let key: [UInt8]?
        let value: [UInt8]
        let headers: [RecordHeader]
    }

    private struct State {
        var behaviour: Behaviour
        var produced: [Produced] = []
        var offsets: [Int32: Int64] = [:]
        var held: [@Sendable () -> Void] = []
    }

    private let state: Mutex<State>
    private let reports = DispatchQueue(label: "stand-in delivery reports")
    static let partitions: Int32 = 6

    init(_ behaviour: Behaviour = .accept) {
        state = Mutex(State(behaviour: behaviour))
    }

    var produced: [Produced] { state.withLock { $0.produced } }
    var queueDepth: Int { state.withLock { $0.held.count } }

    func setBehaviour(_ behaviour: Behaviour) { state.withLock { $0.behaviour = behaviour } }

    func produce(
        topic: String,
        key: [UInt8]?,
        value: [UInt8],
        headers: [RecordHeader],
        completion: @escaping @Sendable (ProduceOutcome) -> Void
    ) throws(ProduceFailure) {
        let partition = Int32(truncatingIfNeeded: (key ?? []).reduce(0) { $0 &+ Int($1) } % Int(Self.partitions))
        let answer: (@Sendable () -> Void)? = try state.withLock {
            (state: inout State) throws(ProduceFailure) -> (@Sendable () -> Void)? in
            switch state.behaviour {
            case .queueFull:
                throw ProduceFailure.queueFull
            case .timeOut:
                state.produced.append(Produced(topic: topic, key: key, value: value, headers: headers))
                return { completion(.failed(.timedOut)) }
            case .accept, .hold:
                state.produced.append(Produced(topic: topic, key: key, value: value, headers: headers))
                let offset = state.offsets[partition, default: 0]
                state.offsets[partition] = offset + 1
                let deliver: @Sendable () -> Void = { completion(.accepted(partition: partition, offset: offset)) }
                if state.behaviour == .hold {
                    state.held.append(deliver)
                    return nil
                }
                return deliver
            }
        }
        if let answer { reports.async(execute: answer) }
    }

    /// Delivers every held report, in the order the records were produced.
    func releaseHeld() {
        let held = state.withLock { state in
            defer { state.held = [] }
            return state.held
        }
        reports.async { for report in held { report() } }
    }
}
