import HTTPCore

/// `GET /stats` (the cluster's rolling statistics as JSON) and `GET /alerts` (newest first, filtered, paged).
struct MonitorRoutes: Sendable {
    let service: MonitorService
    /// Shown in `/stats` when ingestion waits for a lagging monitor.
    var gate: MonitorLagGate? = nil
    /// Partitions of the transactions topic, for the partitions a joining monitor waits for.
    var topicPartitions: Int? = nil

    func stats(_ request: HTTPRequest, _ responder: HTTPResponder) {
        responder.respond(Self.json(bytes: statsDocument()))
    }

    /// The `/stats` document: what the route answers and what the dashboard's `/events` streams.
    func statsDocument() -> [UInt8]? {
        var snapshot = service.clusterSnapshot()
        let coveredElsewhere = Set((snapshot.partitions ?? []).filter { $0.source == .changelog }.map(\.partition))
        snapshot.status = MonitorStatus(
            skipped: service.skipped,
            partitions: snapshot.partitions ?? [],
            gate: gate,
            group: MonitorStatus.Group(
                service: service,
                topicPartitions: topicPartitions,
                coveredElsewhere: coveredElsewhere
            )
        )
        return StableJSON.bytes(snapshot)
    }

    func alerts(_ request: HTTPRequest, _ responder: HTTPResponder) {
        switch AlertQuery.parse(request.queryItems()) {
        case .failure(let failure):
            let errors = failure.problems
            responder.respond(
                Problem(
                    status: .badRequest,
                    title: "Invalid query",
                    detail: "\(errors.count) query parameter(s) are invalid",
                    errors: errors
                ).response()
            )
        case .success(let query):
            responder.respond(Self.json(service.alerts.query(query)))
        }
    }

    /// 200 with the document, or a 500 problem when it cannot be encoded (an empty 200 would read
    /// as "no data" to a dashboard).
    static func json(_ value: some Encodable) -> HTTPResponse {
        json(bytes: StableJSON.bytes(value))
    }

    static func json(bytes: [UInt8]?) -> HTTPResponse {
        guard let body = bytes else {
            return Problem(
                status: .internalServerError,
                title: "Internal Server Error",
                detail: "the document could not be encoded as JSON"
            ).response()
        }
        return .json(.ok, body)
    }
}
