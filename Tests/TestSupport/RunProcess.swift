import Foundation

/// What a finished child process left behind.
public struct ProcessResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
    /// It overran its deadline and was killed (SIGKILL by its PID).
    public let timedOut: Bool
}

/// Runs a command to its end with a hard deadline; a child still running then is killed by its PID.
/// `input`, when given, is written to its stdin, which is then closed.
public func runProcess(
    _ executable: URL,
    _ arguments: [String],
    input: String? = nil,
    environment: [String: String]? = nil,
    currentDirectory: URL? = nil,
    mergeErrorIntoOutput: Bool = false,
    timeout: Duration
) throws -> ProcessResult {
    let child = try ChildProcess(
        executable,
        arguments,
        environment: environment,
        currentDirectory: currentDirectory,
        mergeErrorIntoOutput: mergeErrorIntoOutput,
        acceptsInput: input != nil
    )
    if let input { child.send(input: input) }
    let finished = child.waitForExit(timeout: timeout)
    if !finished { child.killNow() }
    return ProcessResult(
        status: child.terminationStatus,
        stdout: child.output,
        stderr: child.errorOutput,
        timedOut: !finished
    )
}

/// Convenience for a command given by its path.
public func runProcess(
    _ path: String,
    _ arguments: [String],
    input: String? = nil,
    environment: [String: String]? = nil,
    currentDirectory: URL? = nil,
    mergeErrorIntoOutput: Bool = false,
    timeout: Duration
) throws -> ProcessResult {
    try runProcess(
        URL(fileURLWithPath: path),
        arguments,
        input: input,
        environment: environment,
        currentDirectory: currentDirectory,
        mergeErrorIntoOutput: mergeErrorIntoOutput,
        timeout: timeout
    )
}
