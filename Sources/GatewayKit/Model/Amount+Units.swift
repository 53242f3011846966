import Foundation

extension Amount {
    /// The amount in ten-thousandths of its currency unit, exactly.
    ///
    /// An `Amount` has at most 4 fraction digits and is below 10^15, so this always fits a
    /// `UInt64` (< 10^19). Statistics and rules work on this integer because `Decimal`
    /// arithmetic costs about 300 ns per operation here, and `Double` is not exact.
    var tenThousandths: UInt64 {
        // `significand`/`exponent` avoid Decimal arithmetic: about 40 ns instead of 300.
        let exponent = value.exponent
        guard exponent >= -4, exponent <= 15 else { return tenThousandthsBySlowPath }
        let significand = NSDecimalNumber(decimal: value.significand).uint64Value
        let (units, overflow) = significand.multipliedReportingOverflow(by: Self.powerOfTen(exponent + 4))
        return overflow ? tenThousandthsBySlowPath : units
    }

    /// The amount rounded to hundredths (cents for most currencies): what the histograms record.
    var hundredths: UInt64 { Self.hundredths(tenThousandths: tenThousandths) }

    static func hundredths(tenThousandths units: UInt64) -> UInt64 { units / 100 + (units % 100 >= 50 ? 1 : 0) }

    /// The canonical decimal string ("129.9") of a sum kept in ten-thousandths, as `Amount` prints.
    static func decimalString(tenThousandths units: UInt128) -> String {
        let integer = String(units / 10_000)
        let fraction = Int(units % 10_000)
        guard fraction != 0 else { return integer }
        var digits = String(fraction)
        digits = String(repeating: "0", count: 4 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return integer + "." + digits
    }

    /// Exact for any shape of `Decimal` (e.g. trailing zeros kept in the mantissa), but slow.
    private var tenThousandthsBySlowPath: UInt64 {
        var scaled = value * 10_000
        var rounded = Decimal()
        NSDecimalRound(&rounded, &scaled, 0, .plain)
        return NSDecimalNumber(decimal: rounded).uint64Value
    }

    private static func powerOfTen(_ exponent: Int) -> UInt64 {
        var result: UInt64 = 1
        for _ in 0..<exponent { result *= 10 }
        return result
    }
}
