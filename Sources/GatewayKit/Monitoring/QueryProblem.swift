/// One invalid query parameter of `GET /alerts`, for an RFC 9457 problem's `invalid_params`.
struct QueryProblem: Hashable, Sendable {
    /// The parameter's name as sent.
    var field: String
    var message: String
}

/// All the problems of one query: the failure of `AlertQuery.parse` (an `Error`, as `Result`
/// requires; the problems themselves are in `problems`, in parameter order).
struct QueryProblems: Error, Hashable, Sendable {
    var problems: [QueryProblem]
}
