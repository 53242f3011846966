/// The one change `ApiVersionsShim` makes to the bytes between librdkafka and Tansu.
///
/// librdkafka before 2.2.0 (Debian ships 2.0.2) misreads the top-level tagged fields of an
/// ApiVersions v3 response (confluentinc/librdkafka#4278: "Protocol read buffer underflow for
/// ApiVersion v3") and drops the connection. Tansu sends four of them (SupportedFeatures,
/// FinalizedFeaturesEpoch, FinalizedFeatures, ZkMigrationReady), none of which librdkafka uses, so
/// the shim empties that section: the response is otherwise byte for byte the broker's.
///
/// Kafka's framing (kafka.apache.org/protocol, "Common Request and Response Structure"): every
/// message is a 4-byte big-endian size, then the message. A request header starts with api key
/// (int16), api version (int16) and correlation id (int32); every response header starts with the
/// correlation id, and an ApiVersions response always uses response header v0 (the correlation id
/// alone, no tagged fields), so that a client can read it before it knows the broker's versions.
enum ApiVersionsRewrite {
    static let apiKey: Int16 = 18
    static let firstFlexibleVersion: Int16 = 3

    /// The correlation id of a request frame that asks ApiVersions v3 or later; nil for any other.
    static func flexibleApiVersionsRequest(_ frame: [UInt8]) -> Int32? {
        guard frame.count >= 12, int16(frame, at: 4) == apiKey, int16(frame, at: 6) >= firstFlexibleVersion else {
            return nil
        }
        return int32(frame, at: 8)
    }

    /// The correlation id of a response frame.
    static func correlationID(ofResponse frame: [UInt8]) -> Int32? {
        frame.count >= 8 ? int32(frame, at: 4) : nil
    }

    /// An ApiVersions v3+ response frame with its top-level tagged fields emptied and its size
    /// prefix adjusted; nil when the frame does not parse as one (the shim then passes it unchanged).
    ///
    /// Body (ApiVersionsResponse v3): error_code int16, api_keys COMPACT_ARRAY of {api_key int16,
    /// min_version int16, max_version int16, TAG_BUFFER}, throttle_time_ms int32, TAG_BUFFER.
    static func emptyingTaggedFields(ofResponse frame: [UInt8]) -> [UInt8]? {
        var reader = Reader(bytes: frame, offset: 8)  // past the size and the correlation id
        guard reader.skip(2), let entriesPlusOne = reader.unsignedVarint() else { return nil }
        for _ in 0..<max(0, entriesPlusOne - 1) {
            guard reader.skip(6), reader.skipTaggedFields() else { return nil }
        }
        guard reader.skip(4), reader.offset < frame.count else { return nil }
        var rewritten = Array(frame[..<reader.offset])
        rewritten.append(0)  // no tagged fields
        let size = UInt32(rewritten.count - 4)
        for index in 0..<4 { rewritten[index] = UInt8(truncatingIfNeeded: size >> (24 - 8 * index)) }
        return rewritten
    }

    static func int16(_ bytes: [UInt8], at offset: Int) -> Int16 {
        Int16(bitPattern: UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1]))
    }

    static func int32(_ bytes: [UInt8], at offset: Int) -> Int32 {
        Int32(bitPattern: (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(bytes[offset + $1]) })
    }

    /// Walks a message; every step checks the bounds and answers false (or nil) past the end.
    private struct Reader {
        let bytes: [UInt8]
        var offset: Int

        mutating func skip(_ count: Int) -> Bool {
            guard count >= 0, offset + count <= bytes.count else { return false }
            offset += count
            return true
        }

        /// Kafka's UNSIGNED_VARINT: 7 bits a byte, least significant first, high bit = more follows.
        mutating func unsignedVarint() -> Int? {
            var value = 0
            for shift in stride(from: 0, through: 28, by: 7) {
                guard offset < bytes.count else { return nil }
                let byte = bytes[offset]
                offset += 1
                value |= Int(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return value }
            }
            return nil
        }

        /// TAG_BUFFER: a count, then per field its tag and its size (both unsigned varints) and the bytes.
        mutating func skipTaggedFields() -> Bool {
            guard let count = unsignedVarint() else { return false }
            for _ in 0..<count {
                guard unsignedVarint() != nil, let size = unsignedVarint(), skip(size) else { return false }
            }
            return true
        }
    }
}

/// Cuts a byte stream into Kafka frames (a 4-byte big-endian size, then that many bytes).
struct KafkaFrameBuffer {
    private var bytes: [UInt8] = []
    /// Frames larger than this are not Kafka traffic the tests make; the stream is then refused.
    static let maxFrameSize = 64 << 20

    enum Failure: Error { case oversizedFrame(Int) }

    mutating func append(_ chunk: some Collection<UInt8>) { bytes.append(contentsOf: chunk) }

    /// The next whole frame, size prefix included, or nil until more bytes arrive.
    mutating func nextFrame() throws(Failure) -> [UInt8]? {
        guard bytes.count >= 4 else { return nil }
        let size = Int(ApiVersionsRewrite.int32(bytes, at: 0))
        guard size >= 0, size <= Self.maxFrameSize else { throw .oversizedFrame(size) }
        guard bytes.count >= 4 + size else { return nil }
        let frame = Array(bytes[..<(4 + size)])
        bytes.removeFirst(4 + size)
        return frame
    }
}
