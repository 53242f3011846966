#if canImport(Glibc)
import Glibc
#endif

/// The IMF-fixdate for the `Date` header (RFC 9110 §6.6.1, §5.6.7), formatted at most once per second.
/// One instance per event loop, so no lock is needed.
struct HTTPDateCache {
    private var second: time_t = -1
    private(set) var date = HTTPDate(Array("Thu, 01 Jan 1970 00:00:00 GMT".utf8))

    /// Refreshes the cached text if the wall clock moved to another second.
    mutating func update(now: time_t = time(nil)) {
        guard now != second else { return }
        second = now
        date = HTTPDate(Self.format(now))
    }

    static func format(_ time: time_t) -> [UInt8] {
        var seconds = time
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var out: [UInt8] = []
        out.reserveCapacity(HTTPDate.length)
        out.append(contentsOf: days[Int(parts.tm_wday) % 7].utf8)
        out.append(contentsOf: ", ".utf8)
        appendTwoDigits(Int(parts.tm_mday), to: &out)
        out.append(ASCII.space)
        out.append(contentsOf: months[Int(parts.tm_mon) % 12].utf8)
        out.append(ASCII.space)
        let year = Int(parts.tm_year) + 1900
        appendTwoDigits(year / 100, to: &out)
        appendTwoDigits(year % 100, to: &out)
        out.append(ASCII.space)
        appendTwoDigits(Int(parts.tm_hour), to: &out)
        out.append(ASCII.colon)
        appendTwoDigits(Int(parts.tm_min), to: &out)
        out.append(ASCII.colon)
        appendTwoDigits(Int(parts.tm_sec), to: &out)
        out.append(contentsOf: " GMT".utf8)
        return out
    }

    private static func appendTwoDigits(_ value: Int, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "0") + UInt8(value / 10 % 10))
        out.append(UInt8(ascii: "0") + UInt8(value % 10))
    }

    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
}
