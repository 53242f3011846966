/// A fraud pattern injected into the stream: which rule it must trigger, on which account,
/// and (as they are emitted) which transactions make it up.
struct FraudPattern: Sendable {
    let rule: FraudRule
    let accountID: String
    let steps: [PlannedStep]
    /// Index into `steps` of the transaction at which the rule's condition first holds.
    let triggerStep: Int
    private(set) var transactionIDs: [String] = []
    private(set) var firstEventMillis: Int64?
    private(set) var lastEventMillis: Int64?
    /// Pattern transactions the gateway answered "accepted" (load runs only).
    var acceptedCount = 0

    init(rule: FraudRule, accountID: String, steps: [PlannedStep], triggerStep: Int) {
        precondition(!steps.isEmpty && steps.indices.contains(triggerStep), "a pattern needs its trigger step")
        self.rule = rule
        self.accountID = accountID
        self.steps = steps
        self.triggerStep = triggerStep
    }

    var isComplete: Bool { transactionIDs.count == steps.count }
    var nextStep: PlannedStep? { isComplete ? nil : steps[transactionIDs.count] }
    var totalDelayMillis: Int64 { steps.reduce(0) { $0 + $1.delayMillis } }

    mutating func recordEmitted(id: String, at millis: Int64) {
        transactionIDs.append(id)
        if firstEventMillis == nil { firstEventMillis = millis }
        lastEventMillis = millis
    }
}
