/// What must match for a request to be "the same request" under one idempotency key
/// (draft-ietf-httpapi-idempotency-key-header-06 §2.4, the idempotency fingerprint): the body and
/// its media type (the same bytes mean different things as JSON and as NDJSON).
///
/// A 128-bit keyed hash: Swift's `Hasher` (SipHash-1-3, seeded at random per process) twice, with
/// different salts, plus the body's length. Why not SHA-256: the fingerprint never leaves this
/// process and is never persisted, so it only has to resist collisions that a client cannot
/// compute, and a per-process secret seed gives that (a client cannot find two bodies that
/// collide without knowing the seed; by chance, about 2^-128 per pair), and it is cheaper than
/// SHA-256 over a whole batch body. A store shared between instances would need a fixed,
/// cryptographic digest instead (libcrypto's SHA-256 is linked already, for API keys).
package struct RequestFingerprint: Sendable, Hashable {
    private let high: Int
    private let low: Int
    private let length: Int

    package init(body: [UInt8], mediaType: String) {
        var high = Hasher()
        var low = Hasher()
        low.combine(0x9E37_79B9_7F4A_7C15 as UInt64)
        body.withUnsafeBytes { bytes in
            high.combine(bytes: bytes)
            low.combine(bytes: bytes)
        }
        high.combine(mediaType)
        low.combine(mediaType)
        self.high = high.finalize()
        self.low = low.finalize()
        length = body.count
    }
}
