#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns Nagle's algorithm off (TCP_NODELAY) on this process's listening sockets bound to given
/// loopback ports: the embedded cluster's brokers, which librdkafka's mock creates without it.
///
/// Why: a producer with several partitions on one broker pipelines ProduceRequests on its
/// connection; the mock answers the second while the client has not yet acknowledged the first
/// answer, Nagle holds the second answer back until that ACK, and the client delays its ACK by up
/// to 40 ms (Linux delayed ACK). An NDJSON batch spread over 20 accounts took about 44 ms where one
/// account took 2 ms; `socket.nagle.disable` on the client cannot help, the wait is on
/// the broker's side. Kafka's own brokers set TCP_NODELAY on every accepted socket.
///
/// Linux copies TCP_NODELAY from a listening socket to the sockets it accepts, so setting it on the
/// listeners right after the cluster is created covers every later connection.
enum ListenerNagle {
    /// Returns how many listening sockets were changed.
    @discardableResult
    static func disable(onPorts ports: Set<UInt16>) -> Int {
        guard let directory = opendir("/proc/self/fd") else { return 0 }
        defer { closedir(directory) }
        var changed = 0
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let fd = Int32(name), isListener(fd), let port = localPort(fd), ports.contains(port) else { continue }
            var one: Int32 = 1
            if setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size)) == 0 {
                changed += 1
            }
        }
        return changed
    }

    private static func isListener(_ fd: Int32) -> Bool {
        var accepting: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) == 0 && accepting == 1
    }

    /// The port of an IPv4 or IPv6 socket, host order.
    private static func localPort(_ fd: Int32) -> UInt16? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { return nil }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafeBytes(of: storage) { UInt16(bigEndian: $0.load(as: sockaddr_in.self).sin_port) }
        case AF_INET6:
            return withUnsafeBytes(of: storage) { UInt16(bigEndian: $0.load(as: sockaddr_in6.self).sin6_port) }
        default:
            return nil
        }
    }
}
