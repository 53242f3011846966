/// One field that failed validation: which field (a JSON member name, `metadata.<key>` for a
/// metadata value) and what is wrong with it.
struct FieldError: Encodable, Sendable, Hashable {
    var field: String
    var message: String
}
