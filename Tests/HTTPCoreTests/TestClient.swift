import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A response as the raw test client parsed it.
struct ClientResponse {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    var bodyText: String { String(decoding: body, as: UTF8.self) }

    func problem() throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
    }
}

enum ClientError: Error, Equatable {
    case connectFailed(Int32)
    case timeout
    case closed
    case malformed(String)
}

/// A blocking POSIX-socket client with a receive timeout, so that no test wait is unbounded.
final class RawClient {
    let fd: Int32
    private var buffer: [UInt8] = []

    init(port: Int, receiveTimeout: Duration = .seconds(5)) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            Glibc.close(fd)
            throw ClientError.connectFailed(code)
        }
        setReceiveTimeout(receiveTimeout)
    }

    deinit {
        Glibc.close(fd)
    }

    func setReceiveTimeout(_ timeout: Duration) {
        let (seconds, attoseconds) = timeout.components
        var value = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    func send(_ text: String) {
        send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent <= 0 { return }
            offset += sent
        }
    }

    /// Sends one byte at a time with a pause between them.
    func sendSlowly(_ text: String, pause: Duration) {
        for byte in text.utf8 {
            send([byte])
            Thread.sleep(forTimeInterval: Double(pause.components.attoseconds) / 1e18)
        }
    }

    func shutdownWrite() {
        shutdown(fd, Int32(SHUT_WR))
    }

    /// Reads more bytes; throws on timeout or EOF.
    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count > 0 {
            buffer.append(contentsOf: chunk[0..<count])
            return
        }
        if count == 0 { throw ClientError.closed }
        if errno == EAGAIN || errno == EWOULDBLOCK { throw ClientError.timeout }
        if errno == EINTR { return }
        throw ClientError.closed
    }

    /// Reads one response (a 1xx counts as one). HEAD responses carry no body: pass `isHead`.
    func readResponse(isHead: Bool = false) throws -> ClientResponse {
        var headEnd: Int?
        while headEnd == nil {
            headEnd = findHeadEnd()
            if headEnd == nil { try fill() }
        }
        let head = String(decoding: buffer[0..<headEnd!], as: UTF8.self)
        buffer.removeFirst(headEnd! + 4)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0] == "HTTP/1.1", let status = Int(parts[1]) else {
            throw ClientError.malformed(statusLine)
        }
        let headers: [(String, String)] = lines.map { line in
            let colon = line.firstIndex(of: ":")!
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var response = ClientResponse(status: status, headers: headers, body: [])
        if status < 200 || isHead || status == 204 || status == 304 { return response }
        let length = Int(response.header("Content-Length") ?? "") ?? 0
        while buffer.count < length { try fill() }
        response.body = Array(buffer[0..<length])
        buffer.removeFirst(length)
        return response
    }

    /// Reads until `marker` has arrived and returns everything up to and including it (a streaming
    /// body, read as raw bytes); throws on timeout or EOF first.
    func read(through marker: String) throws -> String {
        let needle = Array(marker.utf8)
        while true {
            if buffer.count >= needle.count {
                for start in 0...(buffer.count - needle.count)
                where Array(buffer[start..<start + needle.count]) == needle {
                    defer { buffer.removeFirst(start + needle.count) }
                    return String(decoding: buffer[0..<start + needle.count], as: UTF8.self)
                }
            }
            try fill()
        }
    }

    /// True when the server closes the connection (EOF or reset) before the timeout; bytes that arrive
    /// first are kept for `readResponse`.
    func waitForClose() -> Bool {
        while true {
            do {
                try fill()
            } catch ClientError.closed {
                return true
            } catch {
                return false
            }
        }
    }

    private func findHeadEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for index in 0...(buffer.count - 4)
        where buffer[index] == 13 && buffer[index + 1] == 10 && buffer[index + 2] == 13 && buffer[index + 3] == 10 {
            return index
        }
        return nil
    }
}
