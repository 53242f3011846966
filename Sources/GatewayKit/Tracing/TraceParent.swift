import HTTPCore
import W3CTraceContext

/// W3C Trace Context (https://www.w3.org/TR/trace-context/) as the gateway carries it: a
/// `traceparent` (and `tracestate`) on `POST /transactions` is validated and kept, with the
/// gateway's own span id, as Kafka record headers; a request without a valid one starts a new
/// trace. The monitor copies the transaction's headers onto the alert it raises, and the alert
/// webhook carries a `traceparent` of the same trace.
enum TraceParent {
    static let parentHeader = "traceparent"
    static let stateHeader = "tracestate"

    /// The trace context of a request: the caller's trace with a new span id (this hop), or a new
    /// trace when `traceparent` is absent or invalid (§4.3: an invalid one is ignored, and
    /// `tracestate` with it); an invalid `tracestate` alone is dropped, the trace kept (§3.3.1.1).
    static func forRequest(_ headers: HTTPHeaders) -> TraceContext {
        if let parent = headers["traceparent"],
            let incoming =
                (try? TraceContext(traceParentHeaderValue: parent, traceStateHeaderValue: headers["tracestate"]))
                ?? (try? TraceContext(traceParentHeaderValue: parent))
        {
            return child(of: incoming)
        }
        return TraceContext(traceID: .random(), spanID: .random(), flags: [], state: TraceState())
    }

    /// The same trace, a new span (the next hop's parent id).
    static func child(of context: TraceContext) -> TraceContext {
        TraceContext(traceID: context.traceID, spanID: .random(), flags: context.flags, state: context.state)
    }

    /// `traceparent` and, when not empty, `tracestate` as record headers.
    static func recordHeaders(_ context: TraceContext) -> [RecordHeader] {
        var headers = [RecordHeader(parentHeader, parentValue(of: context))]
        if let state = context.traceStateHeaderValue, !state.isEmpty {
            headers.append(RecordHeader(stateHeader, Array(state.utf8)))
        }
        return headers
    }

    /// `traceparent`'s value (§3.2, version 00) written as bytes: `traceParentHeaderValue` builds the
    /// same text through String interpolation, which cost about 6.5 k instructions a POST.
    static func parentValue(of context: TraceContext) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(55)
        out.append(contentsOf: "00-".utf8)
        withUnsafeBytes(of: context.traceID.bytes) { appendHex($0, to: &out) }
        out.append(UInt8(ascii: "-"))
        withUnsafeBytes(of: context.spanID.bytes) { appendHex($0, to: &out) }
        out.append(UInt8(ascii: "-"))
        withUnsafeBytes(of: context.flags.rawValue) { appendHex($0, to: &out) }
        return out
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func appendHex(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        for byte in bytes {
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0x0F)])
        }
    }

    /// The trace context carried by a record's headers; nil when absent or invalid.
    static func context(in headers: [RecordHeader]) -> TraceContext? {
        guard let parent = headers.last(where: { $0.name == parentHeader }) else { return nil }
        let state = headers.last { $0.name == stateHeader }.map { String(decoding: $0.value, as: UTF8.self) }
        return try? TraceContext(
            traceParentHeaderValue: String(decoding: parent.value, as: UTF8.self),
            traceStateHeaderValue: state
        )
    }

    /// 32 lowercase hex digits, as in `traceparent` and in logs' `trace_id`.
    static func traceID(_ context: TraceContext) -> String {
        context.traceID.description
    }
}
