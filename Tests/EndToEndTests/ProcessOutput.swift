import Foundation

/// Collects what a child process writes to a pipe, as it arrives, so a full pipe never blocks it.
final class ProcessOutput: @unchecked Sendable {
    // Safe: `buffer` is only touched under `lock`.
    private let lock = NSLock()
    private var buffer = Data()
    let pipe = Pipe()

    init() {
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.lock()
            self.buffer.append(data)
            self.lock.unlock()
        }
    }

    var text: String {
        lock.lock(); defer { lock.unlock() }
        return String(decoding: buffer, as: UTF8.self)
    }

    /// Waits briefly for the last bytes after the process exited (EOF arrives asynchronously).
    func drain() {
        Thread.sleep(forTimeInterval: 0.1)
        pipe.fileHandleForReading.readabilityHandler = nil
        let rest = (try? pipe.fileHandleForReading.readToEnd()) ?? nil
        if let rest {
            lock.lock()
            buffer.append(rest)
            lock.unlock()
        }
    }
}
