/// A date of the proleptic Gregorian calendar, and its day count from 1970-01-01.
///
/// Howard Hinnant's `days_from_civil`/`civil_from_days` (years counted from March, so that the leap
/// day falls at a year's end): exact integer arithmetic for any day, no Foundation calendar, no
/// allocation. Formatters that run per record (RFC 3339 in the gateway and in txgen) use it instead of
/// Foundation's date formatting, which costs microseconds a call.
public struct CivilDate: Equatable, Sendable {
    public let year: Int
    /// 1-12.
    public let month: Int
    /// 1-31.
    public let day: Int

    @inlinable public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The date `days` days after 1970-01-01 (before it when negative).
    @inlinable public init(daysSinceEpoch days: Int) {
        let shifted = days + 719_468  // days since 0000-03-01
        // Floor division, so that days before year 0 land in the era before.
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// Days from 1970-01-01 to this date (negative before it).
    @inlinable public var daysSinceEpoch: Int {
        let marchYear = month <= 2 ? year - 1 : year
        let era = (marchYear >= 0 ? marchYear : marchYear - 399) / 400
        let yearOfEra = marchYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
