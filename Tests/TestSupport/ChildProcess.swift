import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A child process started by a test: Foundation's `Process`, its output read as it arrives (so a
/// full pipe never blocks the child), every wait bounded, and stopped only by its own PID.
///
/// Why not swift-subprocess (1.0.2 builds here and gives the PID): its child lives inside one `async`
/// `run` call, while the tests keep a gateway running across a test body and stop it from a
/// synchronous `defer`. Blocking on that call from synchronous tests, which Swift Testing runs on the
/// cooperative pool (two threads here), could starve the task reading and reaping the child.
/// `Process` reads and reaps on threads of its own, so synchronous bounded waits are safe.
///
/// `@unchecked Sendable`: `process` is configured before `run()` and read-only afterwards; everything
/// that changes (output, exit, end-of-file) is only touched while holding `condition`.
public final class ChildProcess: @unchecked Sendable {
    private let process = Process()
    private let condition = NSCondition()
    private var outputBytes: [UInt8] = []
    private var errorBytes: [UInt8] = []
    private var openStreams = 0
    private var exited = false
    /// Counts changes, so a waiter can tell whether one happened while it evaluated its condition.
    private var changes = 0
    private var launchOutcome: Result<Void, any Error>?
    private let input: Pipe?

    /// Starts `executable` at once.
    /// - Parameters:
    ///   - environment: the whole environment of the child; nil inherits the test's.
    ///   - mergeErrorIntoOutput: stderr goes to the same pipe as stdout (`2>&1`), so lines keep
    ///     their order.
    ///   - acceptsInput: gives the child a pipe on stdin (else /dev/null).
    public init(
        _ executable: URL,
        _ arguments: [String],
        environment: [String: String]? = nil,
        currentDirectory: URL? = nil,
        mergeErrorIntoOutput: Bool = false,
        acceptsInput: Bool = false
    ) throws {
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        input = acceptsInput ? Pipe() : nil
        process.standardInput = input ?? FileHandle.nullDevice
        let output = Pipe()
        process.standardOutput = output
        let error = mergeErrorIntoOutput ? output : Pipe()
        process.standardError = error
        process.terminationHandler = { [weak self] _ in self?.update { $0.exited = true } }
        // Counted before the start: a child that exits at once must not look finished before its
        // output has been read.
        openStreams = mergeErrorIntoOutput ? 1 : 2
        try launch()
        collect(output.fileHandleForReading) { $0.outputBytes.append(contentsOf: $1) }
        if !mergeErrorIntoOutput { collect(error.fileHandleForReading) { $0.errorBytes.append(contentsOf: $1) } }
    }

    public var processIdentifier: Int32 { process.processIdentifier }

    /// Standard output so far (with stderr in it when merged).
    public var output: String { locked { String(decoding: $0.outputBytes, as: UTF8.self) } }
    public var errorOutput: String { locked { String(decoding: $0.errorBytes, as: UTF8.self) } }

    public var isRunning: Bool { !locked { $0.exited } }

    /// The exit status, or the signal number when a signal ended it; meaningful once it exited.
    public var terminationStatus: Int32 { isRunning ? -1 : process.terminationStatus }

    /// Writes to the child's stdin (`acceptsInput` must have been set) and closes it.
    public func send(input text: String) {
        guard let input else { preconditionFailure("started without acceptsInput") }
        input.fileHandleForWriting.write(Data(text.utf8))
        try? input.fileHandleForWriting.close()
    }

    /// Waits until `condition` holds, re-checking whenever output arrives or the child exits.
    /// Returns whether it held within `timeout`.
    @discardableResult
    public func wait(timeout: Duration, until condition: (ChildProcess) -> Bool) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout.seconds)
        while true {
            let seen = locked { $0.changes }
            // Evaluated without the lock: the predicate reads through the accessors, which take it.
            if condition(self) { return true }
            self.condition.lock()
            defer { self.condition.unlock() }
            while changes == seen {
                if !self.condition.wait(until: deadline) { return false }
            }
        }
    }

    /// Waits until the child exited and its output was read to the end.
    @discardableResult
    public func waitForExit(timeout: Duration) -> Bool {
        wait(timeout: timeout) { $0.locked { $0.exited && $0.openStreams == 0 } }
    }

    /// Sends `signal` (e.g. SIGINT, SIGTERM) to the child by its PID, if it still runs.
    public func send(signal: Int32) {
        if isRunning { Glibc.kill(processIdentifier, signal) }
    }

    /// SIGTERM, then SIGKILL if it has not exited within `grace`. Returns the exit status.
    @discardableResult
    public func stop(grace: Duration) -> Int32 {
        send(signal: SIGTERM)
        if !waitForExit(timeout: grace) { killNow() }
        return terminationStatus
    }

    /// SIGKILL by PID, then waits (bounded) for the exit to be reported.
    public func killNow() {
        send(signal: SIGKILL)
        waitForExit(timeout: .seconds(10))
    }

    deinit {
        if !exited { Glibc.kill(process.processIdentifier, SIGKILL) }
    }

    /// Starts the child from a thread of its own with no signal blocked. A child inherits the
    /// signal mask of the thread that starts it, and the threads tests run on (Dispatch's) block
    /// nearly every signal: a child started from one never sees its SIGINT or SIGTERM.
    private func launch() throws {
        Thread.detachNewThread { [self] in
            var none = sigset_t()
            sigemptyset(&none)
            pthread_sigmask(SIG_SETMASK, &none, nil)
            let outcome = Result { try process.run() }
            update { $0.launchOutcome = outcome }
        }
        guard wait(timeout: .seconds(30), until: { $0.locked { $0.launchOutcome != nil } }) else {
            throw ChildProcessError(description: "\(process.executableURL?.path ?? "?") did not start within 30 s")
        }
        try locked { $0.launchOutcome }?.get()
    }

    /// Reads `handle` on a thread of its own until end of file.
    private func collect(_ handle: FileHandle, into append: @escaping @Sendable (ChildProcess, Data) -> Void) {
        Thread.detachNewThread { [self] in
            while true {
                let data = handle.availableData  // blocks until bytes or end of file
                if data.isEmpty { break }
                update { append($0, data) }
            }
            update { $0.openStreams -= 1 }
        }
    }

    /// Reads under the lock.
    private func locked<T>(_ read: (ChildProcess) -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return read(self)
    }

    /// Runs `change` under the lock and wakes every waiter.
    private func update<T>(_ change: (ChildProcess) -> T) -> T {
        condition.lock()
        changes += 1
        defer {
            condition.broadcast()
            condition.unlock()
        }
        return change(self)
    }
}

extension Duration {
    fileprivate var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

/// A child that could not be started.
public struct ChildProcessError: Error, CustomStringConvertible {
    public let description: String
}
