/// The gateway's request body for one transaction, written straight into bytes.
///
/// Every string written here comes from the generator's own alphabet ([A-Za-z0-9._:-] ids,
/// fixed codes), so nothing needs JSON escaping; `TxGenCommand` validates `--id-prefix` for that.
extension Transaction {
    /// Appends the JSON object (no trailing newline).
    func appendJSON(to out: inout [UInt8]) {
        out.append(contentsOf: #"{"id":""#.utf8)
        out.append(contentsOf: id.utf8)
        out.append(contentsOf: #"","account_id":""#.utf8)
        out.append(contentsOf: accountID.utf8)
        out.append(contentsOf: #"","amount":""#.utf8)
        appendAmount(to: &out)
        out.append(contentsOf: #"","currency":""#.utf8)
        out.append(contentsOf: currency.utf8)
        out.append(contentsOf: #"","merchant_id":""#.utf8)
        out.append(contentsOf: merchantID.utf8)
        out.append(contentsOf: #"","merchant_category":""#.utf8)
        out.append(contentsOf: merchantCategory.utf8)
        out.append(contentsOf: #"","country":""#.utf8)
        out.append(contentsOf: country.utf8)
        out.append(contentsOf: #"","channel":""#.utf8)
        out.append(contentsOf: channel.rawValue.utf8)
        out.append(contentsOf: #"","timestamp":""#.utf8)
        Timestamp.append(millis: eventTimeMillis, to: &out)
        out.append(contentsOf: #""}"#.utf8)
    }

    /// One NDJSON line: the object and "\n".
    func appendNDJSONLine(to out: inout [UInt8]) {
        appendJSON(to: &out)
        out.append(UInt8(ascii: "\n"))
    }

    var jsonString: String {
        var bytes: [UInt8] = []
        appendJSON(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    private func appendAmount(to out: inout [UInt8]) {
        let major = amountMinor / 100
        let minor = amountMinor % 100
        var divisor: Int64 = 1
        while divisor <= major / 10 { divisor *= 10 }
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: major / divisor % 10))
            divisor /= 10
        }
        out.append(UInt8(ascii: "."))
        out.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: minor / 10))
        out.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: minor % 10))
    }
}
