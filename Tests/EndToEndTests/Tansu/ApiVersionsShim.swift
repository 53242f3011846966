import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A loopback TCP proxy that lets librdkafka 2.0.2 talk to Tansu: it listens on `port`, connects
/// each client to the broker on `upstreamPort`, and forwards every frame unchanged except
/// ApiVersions v3+ responses, whose top-level tagged fields it empties (`ApiVersionsRewrite`).
/// Tansu advertises the shim's port, so every connection a client makes (bootstrap and the
/// broker's own address from metadata) goes through it.
///
/// Two threads per connection, one per direction, blocking POSIX sockets: the client-to-broker
/// thread notes the correlation ids of ApiVersions v3+ requests, the broker-to-client thread
/// rewrites the answers to those ids. When either side closes, both sockets are shut down, so the
/// client sees a broker that went away (as when the broker is killed) and reconnects.
///
/// `@unchecked Sendable`: `listener` and the ports are set in `init` and never change; the open
/// sockets and the stopped flag live in a `Mutex`.
final class ApiVersionsShim: @unchecked Sendable {
    let port: Int
    let upstreamPort: Int
    private let listener: Int32
    private let open = Mutex<(sockets: Set<Int32>, stopped: Bool)>(([], false))

    init(upstreamPort: Int) throws {
        self.upstreamPort = upstreamPort
        (listener, port) = try LoopbackSocket.listen()
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// Stops accepting and cuts every open connection (the threads hold the shim: call it). Idempotent.
    func stop() {
        // shutdown (not close) wakes the threads blocked in accept/recv; each closes its own. Under
        // the lock: a socket still in the set is still open (it leaves the set before its close).
        open.withLock { state in
            if state.stopped { return }
            state.stopped = true
            Glibc.shutdown(listener, Int32(SHUT_RDWR))
            for socket in state.sockets { Glibc.shutdown(socket, Int32(SHUT_RDWR)) }
        }
    }

    private func acceptLoop() {
        defer { close(listener) }
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            guard let broker = try? LoopbackSocket.connect(port: upstreamPort) else {
                close(client)  // the broker is down: the client sees a refused broker
                continue
            }
            guard register([client, broker]) else { return }
            let connection = Connection(client: client, broker: broker)
            Thread.detachNewThread { [self] in pump(connection, upstream: true) }
            Thread.detachNewThread { [self] in pump(connection, upstream: false) }
        }
    }

    /// Copies frames from one side to the other until either side closes.
    private func pump(_ connection: Connection, upstream: Bool) {
        let (from, to) = upstream ? (connection.client, connection.broker) : (connection.broker, connection.client)
        var frames = KafkaFrameBuffer()
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        receiving: while true {
            let count = chunk.withUnsafeMutableBytes { recv(from, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            frames.append(chunk[..<count])
            do {
                while let frame = try frames.nextFrame() {
                    let outgoing = upstream ? connection.noting(request: frame) : connection.rewriting(response: frame)
                    guard LoopbackSocket.sendAll(to, outgoing) else { break receiving }
                }
            } catch {
                break
            }
        }
        Glibc.shutdown(connection.client, Int32(SHUT_RDWR))
        Glibc.shutdown(connection.broker, Int32(SHUT_RDWR))
        if connection.finishOneDirection() { unregisterAndClose([connection.client, connection.broker]) }
    }

    /// Records the sockets unless the shim was stopped meanwhile (then closes them).
    private func register(_ sockets: [Int32]) -> Bool {
        let added = open.withLock { state in
            if state.stopped { return false }
            state.sockets.formUnion(sockets)
            return true
        }
        if !added { for socket in sockets { close(socket) } }
        return added
    }

    /// Forgets the sockets before closing them, so `stop` never shuts down a reused descriptor.
    private func unregisterAndClose(_ sockets: [Int32]) {
        open.withLock { state in for socket in sockets { state.sockets.remove(socket) } }
        for socket in sockets { close(socket) }
    }

    /// One proxied connection: the ApiVersions requests awaiting their answer, and how many
    /// directions still run.
    private final class Connection: Sendable {
        let client: Int32
        let broker: Int32
        private let state = Mutex<(pendingApiVersions: Set<Int32>, directionsRunning: Int)>(([], 2))

        init(client: Int32, broker: Int32) {
            self.client = client
            self.broker = broker
        }

        func noting(request frame: [UInt8]) -> [UInt8] {
            if let id = ApiVersionsRewrite.flexibleApiVersionsRequest(frame) {
                state.withLock { _ = $0.pendingApiVersions.insert(id) }
            }
            return frame
        }

        func rewriting(response frame: [UInt8]) -> [UInt8] {
            guard let id = ApiVersionsRewrite.correlationID(ofResponse: frame),
                state.withLock({ $0.pendingApiVersions.remove(id) }) != nil
            else { return frame }
            return ApiVersionsRewrite.emptyingTaggedFields(ofResponse: frame) ?? frame
        }

        /// True for the second direction to finish: it closes both sockets.
        func finishOneDirection() -> Bool {
            state.withLock { state in
                state.directionsRunning -= 1
                return state.directionsRunning == 0
            }
        }
    }
}

/// Blocking TCP sockets on 127.0.0.1, the few calls the shim and the tests need.
enum LoopbackSocket {
    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ call: String) { description = "\(call): \(String(cString: strerror(errno)))" }
    }

    /// A listening socket on 127.0.0.1 and the port the kernel gave it.
    static func listen(port: Int = 0) throws -> (socket: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = loopback(port: port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, Glibc.listen(fd, 128) == 0 else {
            let failure = Failure("bind/listen 127.0.0.1:\(port)")
            close(fd)
            throw failure
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// A port nothing listens on right now (bound, read, released), for a process that needs its
    /// port on its command line.
    static func freePort() throws -> Int {
        let (fd, port) = try listen()
        close(fd)
        return port
    }

    static func connect(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket") }
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let failure = Failure("connect 127.0.0.1:\(port)")
            close(fd)
            throw failure
        }
        return fd
    }

    /// Sends every byte (no SIGPIPE on a closed peer); false once the peer is gone.
    static func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let count = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return false }
            sent += count
        }
        return true
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
