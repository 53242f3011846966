import COpenSSLCrypto
import Foundation

/// The clients allowed to call protected routes: from a file of `name:sha256-hex-of-key` lines
/// (`--api-keys-file`), so the file never holds a key itself. Blank lines and `#` comments are
/// skipped.
///
/// A presented key is hashed with SHA-256 and its digest compared with every stored digest in
/// constant time (no early exit, no data-dependent branch), so response timing says nothing about
/// how close a guess came.
struct APIKeys: Sendable {
    struct Entry: Sendable, Equatable {
        let name: String
        let digest: [UInt8]
    }

    let entries: [Entry]

    /// A bound on the file: the scan per request is linear in it, and names become metric labels.
    static let maxEntries = 1000

    init(entries: [Entry]) { self.entries = entries }

    /// Parses the file's text; a bad line is an error naming its number.
    init(parsing text: String) throws(APIKeysError) {
        var entries: [Entry] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            entries.append(try Self.entry(line, number: index + 1))
        }
        guard !entries.isEmpty else { throw APIKeysError(line: 0, reason: "the file holds no key") }
        guard entries.count <= Self.maxEntries else {
            throw APIKeysError(line: 0, reason: "more than \(Self.maxEntries) keys")
        }
        guard Set(entries.map(\.name)).count == entries.count else {
            throw APIKeysError(line: 0, reason: "a key name appears twice")
        }
        self.entries = entries
    }

    private static func entry(_ line: String, number: Int) throws(APIKeysError) -> Entry {
        let parts = line.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, isName(parts[0]) else {
            throw APIKeysError(line: number, reason: "expected name:sha256-hex, the name 1-64 of [A-Za-z0-9._-]")
        }
        guard let digest = hexBytes(parts[1]), digest.count == 32 else {
            throw APIKeysError(line: number, reason: "expected 64 hex digits (the SHA-256 of the key) after the name")
        }
        return Entry(name: parts[0], digest: digest)
    }

    private static func isName(_ text: String) -> Bool {
        (1...64).contains(text.utf8.count)
            && text.utf8.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || byte == 0x2E || byte == 0x5F || byte == 0x2D
            }
    }

    private static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.lowercased().utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case 0x30...0x39: digit - 0x30
        case 0x61...0x66: digit - 0x61 + 10
        default: nil
        }
    }

    /// The name of the key `presented`, or nil. Every entry is compared, whatever matches.
    func name(of presented: some Collection<UInt8>) -> String? {
        let digest = Self.sha256(Array(presented))
        var found: Int = -1
        for (index, entry) in entries.enumerated() {
            let equal = Self.constantTimeEqual(entry.digest, digest)
            found = equal ? index : found
        }
        return found >= 0 ? entries[found].name : nil
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    /// The hex SHA-256 of a key, the form the file holds (`gateway api-key-digest` prints it).
    static func digestHex(of key: String) -> String {
        sha256(Array(key.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// OpenSSL's one-shot SHA-256 (libcrypto).
    static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        _ = bytes.withUnsafeBufferPointer { input in
            digest.withUnsafeMutableBufferPointer { SHA256(input.baseAddress, input.count, $0.baseAddress) }
        }
        return digest
    }
}

/// A bad API keys file, naming the line.
struct APIKeysError: Error, CustomStringConvertible {
    let line: Int
    let reason: String

    var description: String { line > 0 ? "line \(line): \(reason)" : reason }
}
