import HTTPCore
import Testing

@testable import GatewayKit

/// The producers of the cluster view: answers to `POST /transactions` per `X-Client-Name`.
@Suite struct ClientTallyTests {
    static func post(_ name: String?) -> HTTPRequest {
        var headers = HTTPHeaders()
        if let name { headers.add(ClientTally.header, name) }
        return HTTPRequest(method: .post, target: "/transactions", headers: headers)
    }

    @Test func answers_areCountedPerClientName_acceptedApart() {
        let tally = ClientTally()
        for _ in 0..<3 { tally.record(Self.post("Producer 1"), status: 202) }
        tally.record(Self.post("Producer 1"), status: 503)
        tally.record(Self.post("Producer 2"), status: 200)
        tally.record(Self.post(nil), status: 422)
        let clients = tally.clients(minimumInterval: .zero)
        #expect(clients.map(\.name) == ["Producer 1", "Producer 2", "unnamed"])
        #expect(clients.map(\.requests) == [4, 1, 1])
        #expect(clients.map(\.accepted) == [3, 1, 0])
        #expect(clients.allSatisfy { $0.requestsPerSecond > 0 })
    }

    @Test func names_areBounded_andCleaned() {
        let tally = ClientTally()
        for index in 0..<(ClientTally.maxClients + 5) { tally.record(Self.post("client-\(index)"), status: 202) }
        let clients = tally.clients()
        #expect(clients.count == ClientTally.maxClients + 1)
        #expect(clients.first { $0.name == "other" }?.requests == 5)
        #expect(ClientTally.name("  Produtor\u{7}  1 ") == "Produtor  1")
        #expect(ClientTally.name(String(repeating: "x", count: 200)).count == 64)
        #expect(ClientTally.name("   ") == "unnamed")
    }
}
