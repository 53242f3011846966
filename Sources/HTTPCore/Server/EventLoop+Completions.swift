import Glibc

/// Completions: a handler's answer (or stream write) reaches its connection on the loop's thread by
/// one of three paths. Inline while the handler call is still on the stack, through a local list for
/// others made on the loop's thread, and through the locked inbox plus an eventfd wake-up from any
/// other thread.
extension EventLoop {
    var isLoopThread: Bool {
        threadID.load(ordering: .acquiring) == UInt(pthread_self())
    }

    func beginDispatch(_ token: ResponseToken) {
        dispatching = token
    }

    /// Ends a handler call and returns the response (or stream head) it gave inline, if any.
    func endDispatch() -> Completion? {
        dispatching = nil
        defer { inlineCompletion = nil }
        return inlineCompletion
    }

    /// Routes a completion to its connection: inline during the handler call (the first one; a stream
    /// written to during the call queues the rest behind it), through a local list for others made on
    /// this thread, and through the locked inbox plus an eventfd wake-up from any other thread.
    func deliver(_ token: ResponseToken, _ completion: Completion) {
        if isLoopThread {
            if dispatching == token, inlineCompletion == nil {
                inlineCompletion = completion
                return
            }
            // Behind completions other threads queued earlier, if any: an app that writes one stream
            // from several threads, in an order its own lock keeps, must see that order on the wire.
            let queued = inbox.withLock { inbox in
                guard !inbox.completions.isEmpty else { return false }
                inbox.completions.append((token, completion))
                return true
            }
            if !queued { localCompletions.append((token, completion)) }
            return
        }
        inbox.withLock { $0.completions.append((token, completion)) }
        wake()
    }

    /// Writes the eventfd only if no wake-up is already pending; the loop clears the flag before it
    /// drains the inbox, so a completion queued after the drain always triggers a new wake-up.
    func wake() {
        guard !wakePending.exchange(true, ordering: .acquiringAndReleasing) else { return }
        wakeCount.wrappingAdd(1, ordering: .relaxed)
        var one: UInt64 = 1
        _ = Glibc.write(wakeFD, &one, MemoryLayout<UInt64>.size)
    }

    func drainInbox() {
        runLocalCompletions()  // made before anything still in the inbox (see `deliver`)
        var counter: UInt64 = 0
        _ = read(wakeFD, &counter, MemoryLayout<UInt64>.size)
        wakePending.store(false, ordering: .sequentiallyConsistent)
        var batch = spareCompletions
        let shutdownDeadline = inbox.withLock { inbox -> UInt64? in
            swap(&inbox.completions, &batch)
            return inbox.shutdownDeadline
        }
        for (token, completion) in batch {
            complete(token, completion)
        }
        batch.removeAll(keepingCapacity: true)
        spareCompletions = batch
        if let shutdownDeadline, !draining {
            beginDraining(deadline: shutdownDeadline)
        }
    }

    func runLocalCompletions() {
        while !localCompletions.isEmpty {
            let batch = localCompletions
            localCompletions.removeAll(keepingCapacity: true)
            for (token, completion) in batch {
                complete(token, completion)
            }
        }
    }

    private func complete(_ token: ResponseToken, _ completion: Completion) {
        guard let connection = connection(fd: token.fd, generation: token.generation) else {
            // The connection has gone away: the client can no longer read this. A stream that never
            // reached it gives its place back.
            if case .streamStart(_, let lease) = completion { lease.end() }
            return
        }
        connection.resume(sequence: token.sequence, completion)
        assert(buffers.scratch.isEmpty, "a connection pass must write or drop all of its output")
    }

    /// A handler on this thread paused its request's streamed body (`HTTPRequestBody.pause`).
    func pauseBody(_ token: ResponseToken) {
        connection(fd: token.fd, generation: token.generation)?.pauseBody(sequence: token.sequence)
    }

    /// A streaming response's client read too slowly and was dropped.
    func noteStreamDropped(remote: String) {
        logger.warning(
            "stream client reads too slowly; dropping it",
            metadata: ["remote": "\(remote)", "backlog_limit": "\(context.maxStreamBacklogBytes)"]
        )
    }
}
