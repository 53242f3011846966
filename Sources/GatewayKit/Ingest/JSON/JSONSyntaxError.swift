/// Why a request body is not RFC 8259 JSON, and where: reported as the 400 "Malformed JSON" problem.
package struct JSONSyntaxError: Error, Equatable, CustomStringConvertible {
    let message: String
    /// Offset of the offending byte from the start of the JSON text.
    let offset: Int

    package var description: String { "\(message) at byte \(offset)" }
}
