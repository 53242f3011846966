/// The bounds of the `IdempotencyStore`; the initial values are the defaults (see ServeSettings).
package struct IdempotencyLimits: Sendable {
    /// How long an answer is kept after it was stored (24 h).
    package var ttl: Duration = .seconds(86_400)
    /// Answers kept at most.
    package var capacity = 100_000
    /// Estimated bytes the kept answers may hold (128 MiB): batch answers are large.
    package var maxBytes = 128 << 20

    /// The defaults, for code outside the module (benchmarks); the memberwise initializer stays internal.
    package static var defaults: IdempotencyLimits { IdempotencyLimits() }
}
