import CEpoll
import CoreSupport
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Accepting: the listener is level-triggered; accepts come in batches, and a loop out of descriptors
/// or memory stops watching the listener for a moment instead of spinning on it.
extension EventLoop {
    private static let acceptBatch = 64
    private static let acceptPause: UInt64 = 100_000_000

    func acceptConnections() {
        for _ in 0..<Self.acceptBatch where listenFD >= 0 {
            var address = sockaddr_storage()
            switch POSIXSocket.accept(listenFD, address: &address) {
            case .success(let fd):
                adopt(fd, remoteAddress: POSIXSocket.describe(address))
            case .failure(let error):
                guard shouldAcceptAgain(after: error) else { return }
            }
        }
    }

    /// False when accepting should stop for this round.
    private func shouldAcceptAgain(after error: SystemError) -> Bool {
        if error.isWouldBlock { return false }
        switch error.code {
        case EINTR, ECONNABORTED, EPROTO:
            return true
        case EMFILE, ENFILE, ENOBUFS, ENOMEM:
            // The pending connection stays queued and the level-triggered listener would wake us
            // again at once: stop watching it for a moment instead of spinning.
            logger.error("accept failed; pausing accepts for 100 ms", metadata: ["error": "\(error)"])
            pauseAccepting()
            return false
        default:
            logger.error("accept failed", metadata: ["error": "\(error)"])
            return false
        }
    }

    private func adopt(_ fd: Int32, remoteAddress: String) {
        acceptedCount.wrappingAdd(1, ordering: .relaxed)
        POSIXSocket.setNoDelay(fd)
        let admitted = context.admitConnection()
        nextGeneration = (nextGeneration &+ 1) & 0x7FFF_FFFF  // keeps tokens clear of the reserved ones
        let parser = HTTPParser(
            limits: context.limits,
            remoteAddress: remoteAddress,
            idGenerator: RequestIDGenerator(seed: idGenerator.nextUInt64())
        )
        let state = HTTPConnectionState(context: context, parser: parser, logger: logger, at: time)
        let connection = HTTPConnection(fd: fd, generation: nextGeneration, loop: self, state: state)
        insert(connection)
        let events = EPOLLIN.rawValue | EPOLLOUT.rawValue | EPOLLRDHUP.rawValue | EPOLLET.rawValue
        guard register(fd, token: UInt64(nextGeneration) << 32 | UInt64(UInt32(bitPattern: fd)), events: events)
        else {
            let error = SystemError.last("epoll_ctl ADD")  // read now: the log's arguments are lazy
            logger.error("cannot watch the connection", metadata: ["error": "\(error)"])
            connection.close()
            return
        }
        if !admitted {
            noteRejection()
            connection.reject()
        }
    }

    /// One log line per second at most while the limit holds, so a connection flood cannot flood the log.
    private func noteRejection() {
        guard let refused = rejectionLog.note(at: now) else { return }
        logger.warning(
            "connection limit reached; answering 503",
            metadata: ["max": "\(context.maxConnections)", "refused": "\(refused)"]
        )
    }

    private func pauseAccepting() {
        guard listenFD >= 0 else { return }
        epoll_ctl(epollFD, EPOLL_CTL_DEL, listenFD, nil)
        acceptPausedUntil = now + Self.acceptPause
    }

    /// Called by the sweep once the pause is over.
    func resumeAcceptingIfDue() {
        guard acceptPausedUntil != 0, now >= acceptPausedUntil else { return }
        acceptPausedUntil = 0
        guard listenFD >= 0, !draining else { return }
        if !register(listenFD, token: Self.listenerToken, events: EPOLLIN.rawValue) {
            let error = SystemError.last("epoll_ctl ADD")  // read now: the log's arguments are lazy
            logger.error("cannot re-register the listener", metadata: ["error": "\(error)"])
        }
    }

    func stopListening() {
        guard listenFD >= 0 else { return }
        close(listenFD)  // also removes it from the epoll set
        listenFD = -1
    }
}
