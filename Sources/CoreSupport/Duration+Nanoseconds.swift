extension Duration {
    /// Whole nanoseconds, clamped at zero (a negative timeout makes no sense here).
    public var clampedNanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? UInt64.max / 2 : whole &+ UInt64(max(0, attoseconds) / 1_000_000_000)
    }
}
