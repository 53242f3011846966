import HTTPCore
import Testing

@testable import GatewayKit

/// The `traceparent` record header the gateway writes is the W3C text the trace-context package
/// would write, byte for byte, for new traces and for continued ones, sampled or not.
@Suite struct TraceParentTests {
    @Test(arguments: [
        nil, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00",
        "00-ffffffffffffffffffffffffffffffff-00f067aa0ba902b7-a5",
    ])
    func parentValue_isThePackagesHeaderText(incoming: String?) {
        for _ in 0..<50 {
            let context = TraceParent.forRequest(HTTPHeaders(incoming.map { [("traceparent", $0)] } ?? []))
            #expect(TraceParent.parentValue(of: context) == Array(context.traceParentHeaderValue.utf8))
        }
    }
}
