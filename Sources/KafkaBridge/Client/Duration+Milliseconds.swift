extension Duration {
    /// Whole milliseconds, clamped to what librdkafka's `int` timeouts accept.
    var clampedMilliseconds: Int32 {
        let (seconds, attoseconds) = components
        let ms = seconds.multipliedReportingOverflow(by: 1000)
        guard !ms.overflow else { return seconds < 0 ? 0 : Int32.max }
        return Int32(clamping: max(0, ms.partialValue + attoseconds / 1_000_000_000_000_000))
    }

    /// Milliseconds as librdkafka's float-typed properties (`linger.ms`) accept them.
    var millisecondsPropertyValue: String {
        let (seconds, attoseconds) = components
        let micros = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        if micros % 1000 == 0 { return String(micros / 1000) }
        return String(Double(micros) / 1000)
    }
}
