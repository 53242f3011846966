/// The failure of `AlertQuery.parse`: every invalid parameter, in parameter order (an `Error`, as
/// `Result` requires).
struct AlertQueryError: Error, Hashable, Sendable {
    var problems: [FieldError]
}
