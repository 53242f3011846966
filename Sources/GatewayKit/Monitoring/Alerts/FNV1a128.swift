/// FNV-1a with a 128-bit state: a tiny, deterministic, non-cryptographic hash. Alert ids need to
/// be the same in every process (Swift's `Hasher` is seeded per process) and rarely collide; they
/// need no secrecy, so a cryptographic digest would be code without a purpose here.
enum FNV1a128 {
    static let offsetBasis: UInt128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d
    static let prime: UInt128 = (1 << 88) + (1 << 8) + 0x3b

    static func hash(_ bytes: [UInt8]) -> UInt128 {
        var state = offsetBasis
        for byte in bytes {
            state ^= UInt128(byte)
            state = state &* prime
        }
        return state
    }

    /// 32 lower-case hex digits.
    static func hex(_ bytes: [UInt8]) -> String {
        let digits = String(hash(bytes), radix: 16)
        return String(repeating: "0", count: 32 - digits.count) + digits
    }
}
