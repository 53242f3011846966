/// The fuzz build compiles only HTTPCore's parsing and message files. `HTTPRequest` names the server's
/// `HTTPRequestBody` (a streamed body's handle, which needs the event loop), so this empty class stands
/// in for it there; the parser never creates one.
public final class HTTPRequestBody: Sendable {}
