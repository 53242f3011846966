import Foundation
import KafkaBridge

/// How a transaction is written to Kafka: the key is `account_id` (one account, one partition,
/// in order), the value the normalized JSON, headers the content type and the request id.
enum TransactionRecord {
    static func value(of transaction: Transaction) -> [UInt8] {
        // A fresh encoder per record: JSONEncoder is a class whose thread-safety is not documented,
        // and records are encoded concurrently on every event loop.
        (try? Array(Transaction.makeEncoder().encode(transaction))) ?? []
    }

    static let contentType = KafkaHeader("content-type", Array("application/json".utf8))

    static func headers(requestID: String) -> [KafkaHeader] {
        [contentType, KafkaHeader("request-id", Array(requestID.utf8))]
    }
}
