import COpenSSLCrypto
import Foundation

/// The key that signs alert webhooks, written `whsec_<base64>` as Standard Webhooks does
/// (standardwebhooks.com): receivers verify `webhook-signature` with the same secret.
package struct WebhookSecret: Sendable {
    static let prefix = "whsec_"
    let key: [UInt8]

    /// nil unless `text` is `whsec_` followed by standard base64 of at least 16 bytes (shorter
    /// keys are guessable; Standard Webhooks' own libraries generate 24 to 64).
    package init?(_ text: String) {
        guard text.hasPrefix(Self.prefix),
            let key = Data(base64Encoded: String(text.dropFirst(Self.prefix.count))),
            key.count >= 16
        else { return nil }
        self.key = Array(key)
    }

    /// `v1,<base64 of HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`: the value of `webhook-signature`.
    func signature(id: String, timestamp: Int, body: [UInt8]) -> String {
        var message = Array("\(id).\(timestamp).".utf8)
        message.append(contentsOf: body)
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = key.withUnsafeBytes { key in
            message.withUnsafeBytes { message in
                HMAC(
                    EVP_sha256(),
                    key.baseAddress,
                    Int32(key.count),
                    message.baseAddress?.assumingMemoryBound(to: UInt8.self),
                    message.count,
                    &digest,
                    &length
                ) != nil
            }
        }
        precondition(ok, "HMAC-SHA256 failed")
        return "v1," + Data(digest.prefix(Int(length))).base64EncodedString()
    }
}
