/// What the once-a-second progress line shows.
struct ProgressSnapshot: Sendable {
    let elapsedSeconds: Double
    let sent: Int
    let accepted: Int
    let rejected: Int
    let errors: Int
    /// Transactions answered per second since the previous snapshot.
    let currentRate: Double
    let inFlight: Int
    let lateSends: Int

    var line: String {
        "[\(Summary.fixed(elapsedSeconds, 1))s] sent \(sent)  accepted \(accepted)  rejected \(rejected)  "
            + "errors \(errors)  rate \(Int(currentRate.rounded()))/s  in-flight \(inFlight)  late \(lateSends)"
    }
}
