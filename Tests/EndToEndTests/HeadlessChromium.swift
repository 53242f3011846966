import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Debian's `chromium`, headless, driven over the DevTools protocol on a pipe
/// (`--remote-debugging-pipe`: it reads commands on fd 3 and writes replies on fd 4, each one JSON
/// text ended by a NUL byte). A page fed by Server-Sent Events never finishes loading, so
/// `--dump-dom` (which dumps at load) and `--virtual-time-budget` (which waits for network fetches
/// to end) cannot watch it; the protocol can evaluate the page's state until it shows what a test
/// waits for, and take a screenshot then.
///
/// Chromium starts helpers (zygote, renderer, GPU and network processes): it is started as the
/// leader of a process group of its own, and `close()` ends the whole group by its id, so nothing is
/// left running. It runs as root here, hence `--no-sandbox`; containers often have a small /dev/shm,
/// hence `--disable-dev-shm-usage`.
final class HeadlessChromium {
    let pid: pid_t
    private let commands: Int32
    private let replies: Int32
    private var pending: [UInt8] = []
    private var nextID = 0
    private var session: String?
    private let profile: URL
    private var closed = false

    static let executable = "/usr/bin/chromium"

    /// Starts chromium with an empty page and attaches to it.
    init(width: Int, height: Int) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.executable) else {
            throw TestFailure("\(Self.executable) is missing: scripts/install-deps.sh installs Debian's chromium")
        }
        profile = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID().uuidString)")
        var toChromium: [Int32] = [0, 0]
        var fromChromium: [Int32] = [0, 0]
        guard pipe(&toChromium) == 0, pipe(&fromChromium) == 0 else { throw TestFailure("pipe failed") }
        // Close-on-exec, so that no other child a test starts holds these pipes open; posix_spawn's
        // dup2 onto fds 3 and 4 gives chromium its copies without the flag.
        for fd in toChromium + fromChromium { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let arguments = [
            Self.executable, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--remote-debugging-pipe",
            "--user-data-dir=\(profile.path)", "--window-size=\(width),\(height)", "--hide-scrollbars",
            "--no-first-run", "--no-default-browser-check", "--mute-audio", "about:blank",
        ]
        pid = try Self.spawn(arguments, stdin: toChromium[0], stdout: fromChromium[1])
        Glibc.close(toChromium[0])
        Glibc.close(fromChromium[1])
        commands = toChromium[1]
        replies = fromChromium[0]
        do {
            try attach(width: width, height: height)
        } catch {
            self.close()
            throw error
        }
    }

    deinit { close() }

    /// posix_spawn with fds 3 and 4 set up, a process group of its own and an empty signal mask (test
    /// threads block most signals, and a child inherits the mask).
    private static func spawn(_ arguments: [String], stdin commandRead: Int32, stdout replyWrite: Int32) throws -> pid_t
    {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, commandRead, 3)
        posix_spawn_file_actions_adddup2(&actions, replyWrite, 4)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK))
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, arguments[0], &actions, &attributes, &argv, environ)
        guard result == 0 else { throw TestFailure("posix_spawn \(arguments[0]) failed: \(result)") }
        return pid
    }

    private func attach(width: Int, height: Int) throws {
        let targets = try send("Target.getTargets", browser: true)["targetInfos"] as? [[String: Any]] ?? []
        guard let page = targets.first(where: { $0["type"] as? String == "page" })?["targetId"] as? String else {
            throw TestFailure("chromium has no page target: \(targets)")
        }
        let attached = try send("Target.attachToTarget", ["targetId": page, "flatten": true], browser: true)
        session = attached["sessionId"] as? String
        _ = try send(
            "Emulation.setDeviceMetricsOverride",
            ["width": width, "height": height, "deviceScaleFactor": 1, "mobile": false]
        )
    }

    func navigate(to url: String) throws {
        _ = try send("Page.navigate", ["url": url])
    }

    /// The value of a JavaScript expression in the page (JSON-compatible values only).
    func evaluate(_ expression: String) throws -> Any? {
        let reply = try send("Runtime.evaluate", ["expression": expression, "returnByValue": true])
        if let exception = reply["exceptionDetails"] { throw TestFailure("page script failed: \(exception)") }
        return (reply["result"] as? [String: Any])?["value"]
    }

    /// Evaluates `expression` until it is `true`, at most for `timeout`; returns whether it became true.
    func waitUntil(_ expression: String, timeout: Duration) throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try evaluate(expression) as? Bool == true { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return try evaluate(expression) as? Bool == true
    }

    /// Makes the page's requests carry `Accept-Language: language` (and `navigator.language` say
    /// so), as a browser set to that language does; before `navigate`.
    func setAcceptLanguage(_ language: String) throws {
        let agent = try evaluate("navigator.userAgent") as? String ?? "Mozilla/5.0"
        _ = try send("Emulation.setUserAgentOverride", ["userAgent": agent, "acceptLanguage": language])
    }

    /// A PNG of the viewport.
    func screenshot() throws -> Data {
        let reply = try send("Page.captureScreenshot", ["format": "png"])
        guard let base64 = reply["data"] as? String, let png = Data(base64Encoded: base64) else {
            throw TestFailure("no screenshot in the reply")
        }
        return png
    }

    /// Asks chromium to quit, then ends its whole process group by id and reaps it; idempotent.
    func close() {
        guard !closed else { return }
        closed = true
        _ = try? send("Browser.close", browser: true, timeout: .seconds(2))
        var status: Int32 = 0
        let deadline = ContinuousClock.now + .seconds(3)
        while waitpid(pid, &status, WNOHANG) == 0 && ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        kill(-pid, SIGKILL)  // helpers that outlived the browser process, and the browser if it hung
        _ = waitpid(pid, &status, 0)
        // Helpers are reaped by init once the browser is gone; wait (bounded) until none is left.
        let gone = ContinuousClock.now + .seconds(5)
        while groupIsAlive && ContinuousClock.now < gone { Thread.sleep(forTimeInterval: 0.05) }
        Glibc.close(commands)
        Glibc.close(replies)
        try? FileManager.default.removeItem(at: profile)
    }

    /// Whether any process of chromium's group is still alive (kill with signal 0 probes).
    var groupIsAlive: Bool { kill(-pid, 0) == 0 }

    // MARK: - The protocol

    /// Sends one command and waits (bounded) for its reply; events and other replies are skipped.
    /// `browser`: a command for the browser itself, else for the attached page.
    private func send(
        _ method: String,
        _ params: [String: Any] = [:],
        browser: Bool = false,
        timeout: Duration = .seconds(15)
    ) throws -> [String: Any] {
        nextID += 1
        var message: [String: Any] = ["id": nextID, "method": method, "params": params]
        if !browser, let session { message["sessionId"] = session }
        var bytes = [UInt8](try JSONSerialization.data(withJSONObject: message))
        bytes.append(0)
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(commands, raw.baseAddress! + offset, raw.count - offset)
                guard written > 0 else { throw TestFailure("chromium closed its command pipe") }
                offset += written
            }
        }
        let deadline = ContinuousClock.now + timeout
        while true {
            let reply = try readMessage(until: deadline)
            guard reply["id"] as? Int == nextID else { continue }
            if let error = reply["error"] { throw TestFailure("\(method) failed: \(error)") }
            return reply["result"] as? [String: Any] ?? [:]
        }
    }

    private func readMessage(until deadline: ContinuousClock.Instant) throws -> [String: Any] {
        while true {
            if let end = pending.firstIndex(of: 0) {
                let text = Data(pending[..<end])
                pending.removeFirst(end + 1)
                return try JSONSerialization.jsonObject(with: text) as? [String: Any] ?? [:]
            }
            let left = deadline - ContinuousClock.now
            guard left > .zero else { throw TestFailure("chromium did not answer in time") }
            var poller = pollfd(fd: replies, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(
                clamping: left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000
            )
            guard poll(&poller, 1, max(1, milliseconds)) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let count = chunk.withUnsafeMutableBytes { read(replies, $0.baseAddress, $0.count) }
            guard count > 0 else { throw TestFailure("chromium closed its reply pipe") }
            pending.append(contentsOf: chunk[..<count])
        }
    }
}
