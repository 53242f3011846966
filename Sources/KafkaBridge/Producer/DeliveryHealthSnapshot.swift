/// Recent delivery outcomes of one producer of the pool, read at one moment: facts, no verdict
/// (the gateway's readiness decides what counts as "not ready").
public struct DeliveryHealthSnapshot: Sendable, Equatable {
    /// Failed deliveries since the last success (errors about one record's content or size are
    /// not counted: they say nothing about the producer).
    public var consecutiveFailures: Int
    /// Since the first failure of the current streak; nil without one.
    public var failingFor: Duration?
    /// Since the latest failure of the current streak; nil without one.
    public var lastFailureAgo: Duration?
    /// librdkafka's name of the latest failure of the current streak, e.g. "_MSG_TIMED_OUT".
    public var lastError: String?
    /// Since the latest acknowledged record; nil if none was acknowledged yet.
    public var lastSuccessAgo: Duration?
    /// Records handed to the producer and not reported yet.
    public var pending: Int
    /// With records pending: since the last delivery report (or since the first of them was
    /// enqueued after an idle spell). Longer than the delivery timeout means librdkafka is not
    /// reporting at all. nil when nothing is pending.
    public var waitingFor: Duration?

    public init(
        consecutiveFailures: Int = 0,
        failingFor: Duration? = nil,
        lastFailureAgo: Duration? = nil,
        lastError: String? = nil,
        lastSuccessAgo: Duration? = nil,
        pending: Int = 0,
        waitingFor: Duration? = nil
    ) {
        self.consecutiveFailures = consecutiveFailures
        self.failingFor = failingFor
        self.lastFailureAgo = lastFailureAgo
        self.lastError = lastError
        self.lastSuccessAgo = lastSuccessAgo
        self.pending = pending
        self.waitingFor = waitingFor
    }
}
