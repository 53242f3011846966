import CEpoll
import CoreSupport

#if canImport(Glibc)
import Glibc
#endif

/// The few socket calls the server makes, with errno turned into `HTTPServerError`.
enum POSIXSocket {
    /// A non-blocking listening socket with SO_REUSEPORT, so that every event loop can own one on the
    /// same port and the kernel spreads new connections across them. `reusePort: false` binds
    /// exclusively: it fails while any other socket listens on the port.
    static func listen(host: String, port: Int, backlog: Int32, reusePort: Bool = true) throws -> (fd: Int32, port: Int)
    {
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let info = result else {
            throw HTTPServerError.invalidAddress(host)
        }
        defer { freeaddrinfo(result) }
        let flags = Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)
        let fd = socket(info.pointee.ai_family, flags, 0)
        guard fd >= 0 else { throw HTTPServerError.lastSystemError("socket") }
        do {
            try setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR")
            if reusePort { try setOption(fd, SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT") }
            guard bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
                throw HTTPServerError.lastSystemError("bind \(host):\(port)")
            }
            guard Glibc.listen(fd, backlog) == 0 else { throw HTTPServerError.lastSystemError("listen") }
            return (fd, try localPort(fd))
        } catch {
            close(fd)
            throw error
        }
    }

    static func localPort(_ fd: Int32) throws -> Int {
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0 else { throw HTTPServerError.lastSystemError("getsockname") }
        return endpoint(address).port
    }

    /// accept4 with SOCK_NONBLOCK | SOCK_CLOEXEC.
    static func accept(_ listenFD: Int32, address: inout sockaddr_storage) -> Result<Int32, SystemError> {
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let flags = Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)
        let fd = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { cepoll_accept4(listenFD, $0, &length, flags) }
        }
        return fd >= 0 ? .success(fd) : .failure(.last("accept4"))
    }

    /// One recv(2) into `buffer`, repeated only when a signal interrupted it.
    static func receive(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> IOOutcome {
        while true {
            let count = recv(fd, buffer.baseAddress, buffer.count, 0)
            if count > 0 { return .transferred(count) }
            if count == 0 { return .endOfInput }
            let error = SystemError.last("recv")
            if error.isInterrupted { continue }
            return error.isWouldBlock ? .wouldBlock : .failed
        }
    }

    /// Whether a read would return something now (bytes, or the end of input), without taking it:
    /// recv(2) with MSG_PEEK, non-blocking.
    static func hasInput(_ fd: Int32) -> Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT)) >= 0
    }

    /// send(2) until everything is sent or the socket is full. MSG_NOSIGNAL turns a vanished peer into
    /// EPIPE instead of SIGPIPE.
    static func send(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> IOOutcome {
        var sent = 0
        while sent < bytes.count {
            let count = Glibc.send(fd, bytes.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
            if count > 0 {
                sent += count
                continue
            }
            guard count < 0 else { return .failed }
            let error = SystemError.last("send")
            if error.isInterrupted { continue }
            if error.isWouldBlock { break }
            return .failed
        }
        return sent > 0 ? .transferred(sent) : .wouldBlock
    }

    /// Responses are written in one send per pass; Nagle would only delay them (and pipelined ones
    /// would meet the client's delayed ACK).
    static func setNoDelay(_ fd: Int32) {
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    private static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32, _ label: String) throws {
        var value = value
        guard setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw HTTPServerError.lastSystemError("setsockopt \(label)")
        }
    }

    /// "203.0.113.7:51234" or "[2001:db8::1]:51234".
    static func describe(_ address: sockaddr_storage) -> String {
        let (host, port) = endpoint(address)
        return address.ss_family == sa_family_t(AF_INET6) ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    private static func endpoint(_ address: sockaddr_storage) -> (host: String, port: Int) {
        var address = address
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        return withUnsafePointer(to: &address) { pointer in
            switch Int32(pointer.pointee.ss_family) {
            case AF_INET:
                return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                    var raw = v4.pointee.sin_addr
                    inet_ntop(AF_INET, &raw, &text, socklen_t(text.count))
                    return (cString(text), Int(UInt16(bigEndian: v4.pointee.sin_port)))
                }
            case AF_INET6:
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                    var raw = v6.pointee.sin6_addr
                    inet_ntop(AF_INET6, &raw, &text, socklen_t(text.count))
                    return (cString(text), Int(UInt16(bigEndian: v6.pointee.sin6_port)))
                }
            default:
                return ("unknown", 0)
            }
        }
    }

    private static func cString(_ chars: [CChar]) -> String {
        chars.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}

/// close(2) under a name that does not collide with the types' own `close()` methods.
@discardableResult
func closeDescriptor(_ fd: Int32) -> Int32 {
    close(fd)
}
