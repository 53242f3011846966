/// What a responder hands to the connection's loop: a response, or one step of a response that stays
/// open (`HTTPStream`). All of one request's completions travel the same way (inline, the loop's
/// local list, or the locked inbox), so they reach the connection in the order they were made.
enum Completion {
    case response(HTTPResponse)
    /// The head of a streaming response; `lease` holds its place under the server's stream limit.
    case streamStart(HTTPResponse, lease: StreamLease)
    case streamData([UInt8])
    case streamEnd
    /// The handler stops (false) or resumes reading the request's streamed body.
    case bodyReading(Bool)
}
