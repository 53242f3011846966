import CoreSupport
import Foundation
import Testing

@Suite struct CivilDateTests {
    @Test func knownDays_convertBothWays() {
        let known: [(Int, CivilDate)] = [
            (0, CivilDate(year: 1970, month: 1, day: 1)),
            (-1, CivilDate(year: 1969, month: 12, day: 31)),
            (11_016, CivilDate(year: 2000, month: 2, day: 29)),
            (20_454, CivilDate(year: 2026, month: 1, day: 1)),
            (-719_468, CivilDate(year: 0, month: 3, day: 1)),
            (2_932_896, CivilDate(year: 9999, month: 12, day: 31)),
        ]
        for (days, date) in known {
            #expect(CivilDate(daysSinceEpoch: days) == date, "day \(days)")
            #expect(date.daysSinceEpoch == days, "\(date)")
        }
    }

    @Test func everyDayOfFourCenturies_roundTrips_andMatchesFoundation() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for days in stride(from: -146_097, through: 146_097, by: 1) {
            let date = CivilDate(daysSinceEpoch: days)
            #expect(date.daysSinceEpoch == days)
            if days % 997 == 0, days >= 0 {
                let parts = calendar.dateComponents(
                    [.year, .month, .day],
                    from: Date(timeIntervalSince1970: Double(days) * 86_400)
                )
                #expect([parts.year, parts.month, parts.day] == [date.year, date.month, date.day], "day \(days)")
            }
        }
    }
}

@Suite struct SplitMix64Tests {
    @Test func firstValues_matchTheReferenceImplementation() {
        // From the reference C code (Vigna), seed 0 and 1234567.
        var zero = SplitMix64(seed: 0)
        #expect(zero.next() == 0xE220_A839_7B1D_CDAF)
        var other = SplitMix64(seed: 1_234_567)
        #expect([other.next(), other.next()] == [6_457_827_717_110_365_317, 3_203_168_211_198_807_973])
    }
}
