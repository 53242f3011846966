import Foundation
import Testing

@testable import HTTPCore

@Suite("HTTPServer port ownership")
struct HTTPServerPortTests {
    @Test func secondServerOnABusyPort_failsToStart_insteadOfSharingIt() throws {
        try withServer { _, port in
            var configuration = HTTPServerConfiguration()
            configuration.host = "127.0.0.1"
            configuration.port = port
            configuration.eventLoopCount = 2
            let second = HTTPServer(configuration: configuration, logger: testLogger, handler: echoHandler)
            #expect(throws: HTTPServerError.self) { _ = try second.start() }
        }
    }

    @Test func aFixedFreePort_isBoundByEveryLoop() throws {
        // Find a free port, release it, then ask for it explicitly.
        let port = try withServer { _, port in port }
        var configuration = HTTPServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = port
        configuration.eventLoopCount = 2
        let server = HTTPServer(configuration: configuration, logger: testLogger, handler: echoHandler)
        #expect(try server.start() == port)
        server.shutdown(gracePeriod: .seconds(1))
    }
}
