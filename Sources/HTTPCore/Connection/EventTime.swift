/// When an event is handled, as a connection needs to know it: monotonic nanoseconds for deadlines
/// and durations, and the wall-clock date for the `Date` field of responses written now (RFC 9110
/// §6.6.1). A plain value, so the state machine reads no clock itself and tests choose the time.
struct EventTime {
    var monotonic: UInt64
    var date: HTTPDate
}
