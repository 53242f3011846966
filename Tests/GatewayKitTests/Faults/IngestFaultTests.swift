import KafkaBridge
import Testing

/// Broker faults under load, through the gateway's real request path on the embedded cluster:
/// every request is answered within the delivery timeout (plus librdkafka's 1 s timeout scan and
/// slack) with 202 or 503 + Retry-After, never a hang or a 500; afterwards the topic holds every
/// acknowledged transaction exactly once, nothing twice, each account's records in 202 order.
///
/// Each test: healthy traffic until every account has a 202, the fault until its effect shows,
/// the fault cleared, traffic until every account has a 202 again, then the audit.
/// Serialized: eight 3-broker clusters with their client fleets side by side starve each other on
/// two cores (the healthy phase then outlasts its bound).
@Suite(.serialized) struct IngestFaultTests {
    private static let deliveryTimeout: Duration = .seconds(2)
    /// librdkafka fails timed-out records on a scan that runs every second (measured here: the
    /// slowest 503 came 3.6 s after its request); the rest is slack for a loaded machine. Beyond
    /// it an answer counts as a hang.
    private static let answerBound: Duration = deliveryTimeout + .seconds(3)

    private enum ProduceError {
        static let notLeaderOrFollower: Int32 = 6
        static let requestTimedOut: Int32 = 7
        static let notEnoughReplicas: Int32 = 19
    }

    @Test func allBrokersDown_requestsGet503InTime_thenRecover_noDuplicatesNoReordering() async throws {
        let sent = try await runFault(
            inject: { $0.setAllBrokers(down: true) },
            until: { fleet, mark in fleet.count(status: 503, from: mark) >= 6 },
            clear: { $0.setAllBrokers(down: false) }
        )
        #expect(sent.contains { $0.status == 503 })
    }

    @Test func oneOfThreeBrokersDown_itsPartitionsGet503_othersStayAccepted() async throws {
        let sent = try await runFault(
            inject: { $0.cluster.setBrokerDown(1) },
            until: { fleet, mark in
                fleet.count(status: 503, from: mark) >= 2 && fleet.count(status: 202, from: mark) >= 12
            },
            clear: { $0.cluster.setBrokerUp(1) }
        )
        #expect(sent.contains { $0.status == 503 })
    }

    @Test func brokerDownThenLeadersMoveOff_itsAccountsRecoverWhileItIsDown() async throws {
        // A crashed broker, then the controller's failover: its partitions get new leaders.
        _ = try await runFault(
            inject: { gateway in
                gateway.cluster.setBrokerDown(1)
                for partition in Int32(0)..<6 {
                    gateway.cluster.setPartitionLeader(
                        topic: GatewayOnEmbeddedCluster.topic,
                        partition: partition,
                        broker: partition % 2 + 2
                    )
                }
            },
            until: { fleet, mark in fleet.everyAccountAccepted(from: mark) && fleet.count(status: 202, from: mark) >= 24
            },
            clear: { $0.cluster.setBrokerUp(1) }
        )
    }

    @Test func partitionLeadersMove_everyRequestAccepted() async throws {
        let sent = try await runFault(
            inject: { $0.moveLeaders(shift: 1) },
            until: { fleet, mark in fleet.count(status: 202, from: mark) >= 24 },
            clear: { $0.moveLeaders(shift: 2) }
        )
        #expect(sent.allSatisfy { $0.status == 202 }, "\(sent.filter { $0.status != 202 }.map(\.id))")
    }

    @Test func retriableProduceErrors_areRetriedWithinTheDeliveryTimeout_everyRequestAccepted() async throws {
        // One client: one batch in flight at a time (see the pipelined test below for why).
        let sent = try await runFault(
            accounts: 1,
            clientsPerAccount: 1,
            inject: { $0.cluster.pushRequestErrors(apiKey: 0, errors: Self.retriableErrors) },
            until: { fleet, mark in fleet.count(status: 202, from: mark) >= 24 },
            clear: { _ in }
        )
        #expect(sent.allSatisfy { $0.status == 202 }, "\(sent.filter { $0.status != 202 }.map(\.id))")
    }

    /// With several batches of a partition in flight, a retriable error on one and success on a
    /// later one makes librdkafka acknowledge the first implicitly (offset -1001): a real broker
    /// accepts a later sequence only after the earlier ones, so the first must be stored. The mock
    /// of librdkafka 2.0.2 checks no sequence numbers and has dropped the errored batch, so the
    /// audit sometimes finds a 202 whose record is not in the topic: a fault of the mock, kept
    /// visible here as a known issue. Answers and bounds are still held strictly.
    @Test func retriableProduceErrors_pipelinedBatches_answeredInTime() async throws {
        _ = try await runFault(
            knownAuditIssue: "librdkafka 2.0.2's mock cluster does not check producer sequence numbers",
            inject: { $0.cluster.pushRequestErrors(apiKey: 0, errors: Self.retriableErrors) },
            until: { fleet, mark in fleet.count(status: 202, from: mark) >= 24 },
            clear: { _ in }
        )
    }

    private static let retriableErrors = Array(
        repeating: [
            ProduceError.notLeaderOrFollower, ProduceError.requestTimedOut, ProduceError.notEnoughReplicas,
        ],
        count: 3
    ).flatMap { $0 }

    @Test func latencyBelowTheDeliveryTimeout_everyRequestAccepted() async throws {
        let sent = try await runFault(
            inject: { gateway in
                for broker in Int32(1)...3 { gateway.cluster.setBrokerRoundTripTime(broker, .milliseconds(300)) }
            },
            until: { fleet, mark in fleet.count(status: 202, from: mark) >= 12 },
            clear: { gateway in for broker in Int32(1)...3 { gateway.cluster.setBrokerRoundTripTime(broker, .zero) } }
        )
        #expect(sent.allSatisfy { $0.status == 202 }, "\(sent.filter { $0.status != 202 }.map(\.id))")
    }

    @Test func latencyBeyondTheDeliveryTimeout_requestsGet503InTime() async throws {
        let sent = try await runFault(
            inject: { gateway in
                for broker in Int32(1)...3 { gateway.cluster.setBrokerRoundTripTime(broker, .seconds(5)) }
            },
            until: { fleet, mark in fleet.count(status: 503, from: mark) >= 6 },
            clear: { gateway in for broker in Int32(1)...3 { gateway.cluster.setBrokerRoundTripTime(broker, .zero) } }
        )
        #expect(sent.contains { $0.status == 503 })
    }

    /// Healthy traffic, the fault until `until` holds (counting requests after the fault began),
    /// the fault cleared, traffic until every account is accepted again; then the audit.
    private func runFault(
        label: String = #function,
        accounts: Int = 6,
        clientsPerAccount: Int = 2,
        knownAuditIssue: Comment? = nil,
        inject: (GatewayOnEmbeddedCluster) -> Void,
        until: @escaping (ClientFleet, Int) -> Bool,
        clear: (GatewayOnEmbeddedCluster) -> Void
    ) async throws -> [ClientFleet.Sent] {
        let gateway = try GatewayOnEmbeddedCluster(deliveryTimeout: Self.deliveryTimeout, label: label)
        defer { gateway.close() }
        let fleet = ClientFleet(
            gateway: gateway,
            accounts: accounts,
            clientsPerAccount: clientsPerAccount,
            answerBound: Self.answerBound
        )
        let healthy = await fleet.waitUntil(.seconds(20)) { fleet.everyAccountAccepted(from: 0) }
        inject(gateway)
        let faultMark = fleet.count
        let faultShowed = await fleet.waitUntil(.seconds(10)) { until(fleet, faultMark) }
        clear(gateway)
        let recoveryMark = fleet.count
        let recovered = await fleet.waitUntil(.seconds(15)) { fleet.everyAccountAccepted(from: recoveryMark) }
        let sent = await fleet.stop()
        #expect(healthy, "not every account was accepted before the fault")
        #expect(faultShowed, "the fault's effect did not show: \(summary(sent.dropFirst(faultMark)))")
        #expect(recovered, "not every account was accepted after the fault: \(summary(sent.dropFirst(recoveryMark)))")
        let audit = try DeliveryAudit(gateway: gateway, sent: sent)
        audit.expectEveryAnswerInTime(bound: Self.answerBound)
        if let knownAuditIssue {
            withKnownIssue(knownAuditIssue, isIntermittent: true) { audit.expectExactlyOnceInOrder() }
        } else {
            audit.expectExactlyOnceInOrder()
        }
        return sent
    }

    private func summary(_ sent: ArraySlice<ClientFleet.Sent>) -> String {
        Dictionary(grouping: sent, by: { $0.status.map(String.init) ?? "none" }).mapValues(\.count).description
    }
}
