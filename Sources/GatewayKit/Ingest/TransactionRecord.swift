import Foundation
import W3CTraceContext

/// How a transaction is written to Kafka: the key is `account_id` (one account, one partition,
/// in order), the value the normalized JSON, headers the content type, the request id and the W3C
/// trace context (`traceparent`, `tracestate`).
enum TransactionRecord {
    /// The same bytes as `Transaction.makeEncoder()` (which the consumer's decoder mirrors),
    /// written directly: JSONEncoder was a fifth of the process CPU here.
    static func value(of transaction: Transaction) -> [UInt8] {
        TransactionJSONWriter.bytes(of: transaction)
    }

    /// The same, for a batch's records: dates they share are formatted once.
    static func value(of transaction: Transaction, dates: inout TransactionJSONWriter.DateMemo) -> [UInt8] {
        TransactionJSONWriter.bytes(of: transaction, dates: &dates)
    }

    static let contentType = RecordHeader("content-type", Array("application/json".utf8))

    static func headers(requestID: String, trace: TraceContext) -> [RecordHeader] {
        [contentType, RecordHeader("request-id", Array(requestID.utf8))] + TraceParent.recordHeaders(trace)
    }
}
