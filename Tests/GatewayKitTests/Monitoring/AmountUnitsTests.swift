import Foundation
import Testing

@testable import GatewayKit

@Suite struct AmountUnitsTests {
    @Test(arguments: [
        ("0.0001", UInt64(1)), ("129.9", 1_299_000), ("129.90", 1_299_000), ("1", 10_000),
        ("1500000", 15_000_000_000), ("999999999999999.9999", 9_999_999_999_999_999_999),
        ("123456789012345.6789", 1_234_567_890_123_456_789),
    ])
    func tenThousandths_isExact(text: String, expected: UInt64) throws {
        #expect(try Amount(validating: text).tenThousandths == expected)
    }

    @Test func tenThousandths_ofDecimalsWithTrailingZerosInTheMantissa() {
        // A Decimal built by arithmetic may keep a longer mantissa than needed.
        let value = Decimal(string: "1.5")! * Decimal(string: "1.00000")!
        #expect(Amount(unchecked: value).tenThousandths == 15_000)
    }

    @Test func decimalString_isCanonical() {
        #expect(Amount.decimalString(tenThousandths: 0) == "0")
        #expect(Amount.decimalString(tenThousandths: 1) == "0.0001")
        #expect(Amount.decimalString(tenThousandths: 1_299_000) == "129.9")
        #expect(Amount.decimalString(tenThousandths: 10_000) == "1")
        #expect(Amount.decimalString(tenThousandths: UInt128(UInt64.max) * 1000) == "1844674407370955161.5")
    }

    @Test func hundredths_roundHalfUp() {
        #expect(Amount.hundredths(tenThousandths: 149) == 1)
        #expect(Amount.hundredths(tenThousandths: 150) == 2)
        #expect(Amount.hundredths(tenThousandths: 1_299_000) == 12_990)
    }
}
