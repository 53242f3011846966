import CRdKafka
import KafkaBridge

extension KafkaProducerPool {
    /// Makes librdkafka raise a fatal error on the producer of slot `index`
    /// (`rd_kafka_test_fatal_error`, which librdkafka provides for exactly this), as a broker that
    /// lost the producer's state would: for tests of how the pool replaces a producer that cannot
    /// recover. `code` is the `rd_kafka_resp_err_t` the error reports. Does nothing once the
    /// producer is closed.
    public func raiseFatalError(slot index: Int, code: Int32, reason: String) {
        _ = withProducerHandle(slot: index) { handle in
            rd_kafka_test_fatal_error(handle, rd_kafka_resp_err_t(rawValue: code), reason)
        }
    }
}
