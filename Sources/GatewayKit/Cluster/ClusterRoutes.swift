import Dispatch
import Foundation
import HTTPCore

/// `GET /cluster` (the `ClusterView` as JSON, at most a second old) and, with the embedded cluster
/// only, the faults: `POST /cluster/brokers/{id}/stop|start|rtt`,
/// `POST /cluster/partitions/{topic}/{partition}/leader` and
/// `POST /cluster/consumers/{name}/stop|start`.
///
/// The router matches exact paths, so each fault's paths are registered one by one for the brokers,
/// partitions and consumers that exist; against any other cluster none is, and they answer 404 and
/// change nothing. Faults run one at a time on a queue of their own (they inspect the cluster first),
/// never on an event loop.
struct ClusterRoutes: Sendable {
    let source: ClusterViewSource
    let faults: ClusterFaults?
    /// Topics and their partition counts, and the consumers' names, to register the fault paths for.
    let topics: [(name: String, partitions: Int32)]
    let consumerNames: [String]

    private static let queue = DispatchQueue(label: "cluster-faults")

    func register(into router: inout HTTPRouter, protect: (@escaping HTTPHandler) -> HTTPHandler) {
        router.add(.get, "/cluster", protect(view))
        router.add(.get, "/cluster.html", DashboardRoutes.clusterPage)
        guard let faults, let cluster = source.embedded else { return }
        for id in 1...Int32(cluster.brokerCount) {
            let base = "/cluster/brokers/\(id)"
            router.add(.post, base + "/stop", protect(run { _ in faults.stopBroker(id) }))
            router.add(.post, base + "/start", protect(run { _ in faults.startBroker(id) }))
            router.add(
                .post,
                base + "/rtt",
                protect(
                    run { request in
                        Self.integer("milliseconds", in: request).flatMap {
                            faults.setRoundTripTime(id, milliseconds: $0)
                        }
                    }
                )
            )
        }
        for topic in topics {
            for partition in 0..<topic.partitions {
                router.add(
                    .post,
                    "/cluster/partitions/\(topic.name)/\(partition)/leader",
                    protect(
                        run { request in
                            Self.integer("broker", in: request).flatMap {
                                faults.setLeader(topic: topic.name, partition: partition, broker: Int32(clamping: $0))
                            }
                        }
                    )
                )
            }
        }
        for name in consumerNames {
            router.add(
                .post,
                "/cluster/consumers/\(name)/stop",
                protect(run { _ in faults.setConsumer(name, member: false) })
            )
            router.add(
                .post,
                "/cluster/consumers/\(name)/start",
                protect(run { _ in faults.setConsumer(name, member: true) })
            )
        }
    }

    func view(_ request: HTTPRequest, _ responder: HTTPResponder) {
        source.view { bytes in
            guard let bytes else {
                responder.respond(
                    Problem(status: .serviceUnavailable, title: "Service Unavailable", detail: "shutting down")
                        .response()
                )
                return
            }
            responder.respond(.json(.ok, bytes))
        }
    }

    /// Runs a fault on the faults' queue and answers 200 with its record, or the problem.
    private func run(_ fault: @escaping @Sendable (HTTPRequest) -> Result<FaultRecord, Problem>) -> HTTPHandler {
        { request, responder in
            Self.queue.async {
                switch fault(request) {
                case .success(let record): responder.respond(MonitorRoutes.json(record))
                case .failure(let problem): responder.respond(problem.response())
                }
            }
        }
    }

    /// A whole number member of the request's JSON object body (`{"milliseconds": 250}`).
    static func integer(_ field: String, in request: HTTPRequest) -> Result<Int, Problem> {
        let invalid = Problem(
            status: .unprocessableContent,
            title: "Invalid body",
            detail: "send a JSON object with a whole number \"\(field)\"",
            errors: [FieldError(field: field, message: "required, a whole number")]
        )
        /// Any JSON value; `whole` is set for a whole number.
        struct Member: Decodable {
            var whole: Int?
            init(from decoder: any Decoder) throws {
                whole = try? decoder.singleValueContainer().decode(Int.self)
            }
        }
        guard let object = try? JSONDecoder().decode([String: Member].self, from: Data(request.body)) else {
            return .failure(
                request.body.isEmpty ? invalid : GatewayProblems.malformedJSON("the body is not a JSON object")
            )
        }
        guard let value = object[field]?.whole else { return .failure(invalid) }
        return .success(value)
    }
}
