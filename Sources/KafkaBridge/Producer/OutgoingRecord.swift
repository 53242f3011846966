import CRdKafka

/// One record on its way into librdkafka, with the box its delivery report completes. Holding it
/// (see `ProduceWaves`) retains the caller's arrays; nothing is copied until `enqueue`.
/// `@unchecked Sendable` for `box`, an owned reference that passes from the event loop that made it
/// to whichever thread enqueues the record, and is used by one thread at a time.
struct OutgoingRecord: @unchecked Sendable {
    let topic: String
    let partition: Int32?
    let key: [UInt8]?
    let value: [UInt8]?
    let headers: [KafkaHeader]
    let box: Unmanaged<DeliveryBox>

    /// Hands the record to librdkafka (`rd_kafka_produceva`, which copies key, value and headers).
    /// Returns librdkafka's refusal (an `rd_kafka_error_t`, to be consumed by the caller), in which
    /// case librdkafka kept neither the box nor the headers and no delivery report will come.
    func enqueue(on handle: OpaquePointer) -> OpaquePointer? {
        var headerList: OpaquePointer? = nil
        if !headers.isEmpty {
            let list = rd_kafka_headers_new(headers.count)!
            for header in headers {
                // withCString borrows a native string's bytes; passing the String itself would
                // build a C copy (an allocation) per header and record.
                header.name.withCString { name in
                    header.value.withUnsafeBytes { bytes in
                        _ = rd_kafka_header_add(list, name, -1, bytes.baseAddress, bytes.count)
                    }
                }
            }
            headerList = list
        }
        let error = topic.withCString { topicName in
            withOptionalBytes(value) { valueBytes in
                withOptionalBytes(key) { keyBytes in
                    withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 7) { vus in
                        var count = 0
                        func append(_ type: rd_kafka_vtype_t, _ fill: (inout rd_kafka_vu_t) -> Void) {
                            var vu = rd_kafka_vu_t()
                            vu.vtype = type
                            fill(&vu)
                            vus.initializeElement(at: count, to: vu)
                            count += 1
                        }
                        append(RD_KAFKA_VTYPE_TOPIC) { $0.u.cstr = topicName }
                        if let partition { append(RD_KAFKA_VTYPE_PARTITION) { $0.u.i32 = partition } }
                        // No value at all (not an empty one) is a tombstone for compaction.
                        if let valueBytes {
                            append(RD_KAFKA_VTYPE_VALUE) {
                                $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: valueBytes.baseAddress)
                                $0.u.mem.size = valueBytes.count
                            }
                        }
                        if let keyBytes {
                            append(RD_KAFKA_VTYPE_KEY) {
                                $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: keyBytes.baseAddress)
                                $0.u.mem.size = keyBytes.count
                            }
                        }
                        // COPY: the Swift arrays are only borrowed for the duration of this call.
                        append(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = RD_KAFKA_MSG_F_COPY }
                        append(RD_KAFKA_VTYPE_OPAQUE) { $0.u.ptr = box.toOpaque() }
                        if let headerList {
                            append(RD_KAFKA_VTYPE_HEADERS) { $0.u.headers = headerList }
                        }
                        defer { vus.baseAddress!.deinitialize(count: count) }
                        return rd_kafka_produceva(handle, vus.baseAddress, count)
                    }
                }
            }
        }
        if error != nil, let headerList { rd_kafka_headers_destroy(headerList) }
        return error
    }
}

/// What a delivery report needs to complete one produce() call.
final class DeliveryBox: Sendable {
    let topic: String
    let completion: @Sendable (Result<DeliveryReport, KafkaError>) -> Void
    /// Told of the report after the completion ran, so the next wave can leave.
    let waves: ProduceWaves

    init(
        topic: String,
        waves: ProduceWaves,
        completion: @escaping @Sendable (Result<DeliveryReport, KafkaError>) -> Void
    ) {
        self.topic = topic
        self.waves = waves
        self.completion = completion
    }
}

private func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
    guard let bytes else { return body(nil) }
    return bytes.withUnsafeBytes { body($0) }
}
