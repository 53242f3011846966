/// application/x-www-form-urlencoded decoding (percent escapes, '+' as space) for query strings.
enum PercentDecoding {
    static func decode(_ bytes: Substring.UTF8View) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                output.append(ASCII.space)
            } else if byte == UInt8(ascii: "%"),
                let high = bytes.index(index, offsetBy: 1, limitedBy: bytes.endIndex), high < bytes.endIndex,
                let low = bytes.index(high, offsetBy: 1, limitedBy: bytes.endIndex), low < bytes.endIndex,
                let hi = ASCII.hexValue(bytes[high]), let lo = ASCII.hexValue(bytes[low])
            {
                output.append(hi << 4 | lo)
                index = low
            } else {
                output.append(byte)
            }
            index = bytes.index(after: index)
        }
        return String(decoding: output, as: UTF8.self)
    }
}
