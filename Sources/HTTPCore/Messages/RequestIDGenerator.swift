import CoreSupport

/// Request ids: the client's `X-Request-Id` when it is safe to log and echo, else a random one.
///
/// Generation uses a per-owner SplitMix64 generator seeded once from the system generator, so the hot
/// path makes no getrandom(2) call. The ids correlate log lines; they are not secrets.
struct RequestIDGenerator {
    private var random: SplitMix64

    init() {
        var system = SystemRandomNumberGenerator()
        random = SplitMix64(seed: system.next())
    }

    init(seed: UInt64) {
        random = SplitMix64(seed: seed)
    }

    /// 16 lowercase hex digits (64 random bits).
    mutating func next() -> String {
        var value = nextUInt64()
        return String(unsafeUninitializedCapacity: 16) { buffer in
            for index in (0..<16).reversed() {
                buffer[index] = Self.hexDigits[Int(value & 0xF)]
                value >>= 4
            }
            return 16
        }
    }

    mutating func nextUInt64() -> UInt64 {
        random.next()
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// 1-128 characters of [A-Za-z0-9._:-]: enough for UUIDs and trace ids, nothing that could forge a
    /// log line or a header.
    static func isAcceptable(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard (1...128).contains(bytes.count) else { return false }
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: ":"), UInt8(ascii: "-"):
                continue
            default:
                return false
            }
        }
        return true
    }
}
