import Foundation
import HTTPCore
import HTTPCoreTesting
import Synchronization

/// Clients posting transactions to the gateway while a test injects faults: for each account,
/// several concurrent clients, each sending one transaction at a time (the next after the answer),
/// every transaction with an id of its own, until stopped. What each client saw is kept.
final class ClientFleet: Sendable {
    /// One request as its client saw it. `status` is nil when no answer came within the bound.
    struct Sent: Sendable {
        let id: String
        let account: String
        let status: Int?
        let retryAfter: String?
        let contentType: String?
        let elapsed: Duration
    }

    let accounts: [String]
    private let sent = Mutex<[Sent]>([])
    private let stopping = Atomic<Bool>(false)
    private let task = Mutex<Task<Void, Never>?>(nil)

    /// `answerBound`: how long a client waits for an answer before it counts the request as hung.
    init(gateway: GatewayOnEmbeddedCluster, accounts: Int = 6, clientsPerAccount: Int = 2, answerBound: Duration) {
        self.accounts = (0..<accounts).map { "acc-\($0)" }
        let started = Task { [self] in
            await withTaskGroup(of: Void.self) { group in
                for account in self.accounts {
                    for client in 0..<clientsPerAccount {
                        group.addTask {
                            await self.runClient(
                                gateway.client,
                                account: account,
                                name: "c\(client)",
                                bound: answerBound
                            )
                        }
                    }
                }
            }
        }
        task.withLock { $0 = started }
    }

    var all: [Sent] { sent.withLock { $0 } }
    var count: Int { sent.withLock { $0.count } }

    /// Requests answered with `status` among the first `from` skipped.
    func count(status: Int, from: Int = 0) -> Int {
        sent.withLock { $0.dropFirst(from).filter { $0.status == status }.count }
    }

    /// Whether every account got a 202 among the requests after the first `from`.
    func everyAccountAccepted(from: Int) -> Bool {
        let accepted = Set(sent.withLock { $0.dropFirst(from).filter { $0.status == 202 }.map(\.account) })
        return accepted.count == accounts.count
    }

    /// Polls `condition` until it holds or `timeout` passes; returns whether it held.
    func waitUntil(_ timeout: Duration, _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    /// Stops the clients after their current request; returns everything they sent.
    func stop() async -> [Sent] {
        stopping.store(true, ordering: .relaxed)
        await task.withLock { $0 }?.value
        return all
    }

    private func runClient(_ client: HTTPTestClient, account: String, name: String, bound: Duration) async {
        var sequence = 0
        while !stopping.load(ordering: .relaxed) {
            let id = "\(account)-\(name)-\(sequence)"
            sequence += 1
            let start = ContinuousClock.now
            let response = await client.execute(
                .post,
                "/transactions",
                headers: [("Content-Type", "application/json")],
                body: sampleTransaction(id: id, account: account),
                timeout: bound
            )
            sent.withLock {
                $0.append(
                    Sent(
                        id: id,
                        account: account,
                        status: response?.status.code,
                        retryAfter: response?.headers["Retry-After"],
                        contentType: response?.headers["Content-Type"],
                        elapsed: ContinuousClock.now - start
                    )
                )
            }
            // A client told to retry later pauses (shorter than Retry-After, to keep tests short).
            if response?.status != 202 { try? await Task.sleep(for: .milliseconds(50)) }
        }
    }
}
