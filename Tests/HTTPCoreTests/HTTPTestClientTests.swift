import Foundation
import HTTPCore
import HTTPCoreTesting
import Synchronization
import Testing

/// The in-process client waits for the handler's one answer, from any thread, within a bound.
@Suite struct HTTPTestClientTests {
    @Test func answerFromAnotherThreadLater_isReturned() async {
        let client = HTTPTestClient { _, responder in
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(50)) {
                responder.respond(HTTPResponse(status: 202, body: Array("later".utf8)))
            }
        }
        let response = await client.execute(.get, "/")
        #expect(response?.status == 202)
        #expect(response.map { String(decoding: $0.body, as: UTF8.self) } == "later")
    }

    @Test func answerGivenInline_isReturned() async {
        let client = HTTPTestClient { _, responder in responder.respond(HTTPResponse(status: 204)) }
        #expect(await client.execute(.get, "/").map(\.status) == 204)
    }

    @Test func handlerThatNeverAnswers_givesNilAtTheTimeout() async {
        let held = HeldResponders()
        let client = HTTPTestClient { _, responder in held.keep(responder) }
        let started = ContinuousClock.now
        let response = await client.execute(.get, "/", timeout: .milliseconds(100))
        let waited = ContinuousClock.now - started
        #expect(response == nil)
        #expect(waited >= .milliseconds(100) && waited < .seconds(5), "\(waited)")
    }
}

/// Keeps responders alive without answering (a released responder answers 500 by itself).
private final class HeldResponders: Sendable {
    private let responders = Mutex<[HTTPResponder]>([])
    func keep(_ responder: HTTPResponder) { responders.withLock { $0.append(responder) } }
}
