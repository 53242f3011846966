import CCurl

/// HTTP POSTs for alert webhooks over libcurl's multi interface: many requests in flight on one
/// thread, connections kept alive and reused through the multi handle's connection cache.
///
/// Only what the caller names is contacted: redirects are not followed, proxies from the
/// environment are ignored, and only http and https URLs are accepted (libcurl would otherwise
/// speak a dozen protocols).
///
/// `@unchecked Sendable`: every method except `wakeUp()` is called by one owning thread only
/// (libcurl calls back only from inside `poll`, on that thread); `wakeUp()` is
/// `curl_multi_wakeup`, which libcurl documents as callable from any thread.
public final class WebhookHTTPClient: @unchecked Sendable {
    /// What one POST came to: an HTTP status (any), or a transport error (status 0) in curl's words.
    public struct Result: Sendable {
        public let tag: Int
        public let status: Int
        public let transportError: String?
        /// The `Retry-After` response field, as sent (RFC 9110 §10.2.3).
        public let retryAfter: String?
        /// The first bytes of the response body, for the last-error text of a failed delivery.
        public let bodyPrefix: [UInt8]

        public init(
            tag: Int,
            status: Int = 0,
            transportError: String? = nil,
            retryAfter: String? = nil,
            bodyPrefix: [UInt8] = []
        ) {
            self.tag = tag
            self.status = status
            self.transportError = transportError
            self.retryAfter = retryAfter
            self.bodyPrefix = bodyPrefix
        }
    }

    private let multi: UnsafeMutableRawPointer
    private let timeoutMilliseconds: Int
    private let connectTimeoutMilliseconds: Int
    private var inFlight: [Int: Transfer] = [:]

    /// Whether libcurl's global state was set up (thread-safe once, as a global's initializer).
    private static let globalInit: CURLcode = curl_global_init(3)  // CURL_GLOBAL_ALL

    public init(timeoutMilliseconds: Int, connectTimeoutMilliseconds: Int, maxConnections: Int) throws {
        guard Self.globalInit == CURLE_OK else { throw SetupError("curl_global_init failed") }
        guard let multi = curl_multi_init() else { throw SetupError("curl_multi_init failed") }
        self.multi = multi
        self.timeoutMilliseconds = timeoutMilliseconds
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, max(1, maxConnections))
    }

    deinit {
        for transfer in inFlight.values {
            curl_multi_remove_handle(multi, transfer.easy)
            transfer.release()
        }
        curl_multi_cleanup(multi)
    }

    public struct SetupError: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    public var inFlightCount: Int { inFlight.count }

    /// Starts a POST; its outcome comes from `poll` with `tag`. Returns false when libcurl refused
    /// to start it (out of memory), which the caller treats as a failed attempt.
    public func post(url: String, headers: [(String, String)], body: [UInt8], tag: Int) -> Bool {
        guard let easy = curl_easy_init() else { return false }
        let transfer = Transfer(easy: easy, tag: tag)
        for (name, value) in headers { transfer.appendHeader("\(name): \(value)") }
        // No 100-continue round trip for bodies over 1 KiB.
        transfer.appendHeader("Expect:")
        var codes: [CURLcode] = []
        codes.append(ccurl_easy_setopt_string(easy, CURLOPT_URL, url))
        codes.append(ccurl_easy_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https"))
        codes.append(ccurl_easy_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0))
        codes.append(ccurl_easy_setopt_string(easy, CURLOPT_PROXY, ""))
        codes.append(ccurl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1))
        codes.append(ccurl_easy_setopt_long(easy, CURLOPT_TCP_NODELAY, 1))
        codes.append(ccurl_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, timeoutMilliseconds))
        codes.append(ccurl_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, connectTimeoutMilliseconds))
        codes.append(ccurl_easy_setopt_string(easy, CURLOPT_USERAGENT, "kafka-transaction-gateway-webhooks/1"))
        codes.append(ccurl_easy_setopt_long(easy, CURLOPT_POST, 1))
        codes.append(ccurl_easy_setopt_long(easy, CURLOPT_POSTFIELDSIZE, body.count))
        codes.append(
            body.withUnsafeBytes { bytes in
                // COPYPOSTFIELDS: libcurl keeps its own copy, so `body` need not outlive the call.
                ccurl_easy_setopt_ptr(
                    easy,
                    CURLOPT_COPYPOSTFIELDS,
                    UnsafeMutableRawPointer(mutating: bytes.baseAddress)
                )
            }
        )
        codes.append(ccurl_easy_setopt_ptr(easy, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(transfer.headerList)))
        codes.append(ccurl_easy_setopt_ptr(easy, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(transfer.errorBuffer)))
        let opaque = Unmanaged.passUnretained(transfer).toOpaque()
        codes.append(ccurl_easy_setopt_ptr(easy, CURLOPT_PRIVATE, opaque))
        codes.append(ccurl_easy_setopt_ptr(easy, CURLOPT_WRITEDATA, opaque))
        codes.append(ccurl_easy_setopt_ptr(easy, CURLOPT_HEADERDATA, opaque))
        codes.append(ccurl_easy_setopt_write_callback(easy, writeCallback))
        codes.append(ccurl_easy_setopt_header_callback(easy, headerCallback))
        guard codes.allSatisfy({ $0 == CURLE_OK }), curl_multi_add_handle(multi, easy) == CURLM_OK else {
            transfer.release()
            return false
        }
        inFlight[tag] = transfer
        return true
    }

    /// Does the ready work, waits up to `timeoutMilliseconds` for sockets (or `wakeUp()`), does it
    /// again, and returns the requests that finished.
    public func poll(timeoutMilliseconds: Int) -> [Result] {
        var running: Int32 = 0
        _ = curl_multi_perform(multi, &running)
        var ready: Int32 = 0
        _ = curl_multi_poll(multi, nil, 0, Int32(clamping: max(0, timeoutMilliseconds)), &ready)
        _ = curl_multi_perform(multi, &running)
        var results: [Result] = []
        var queued: Int32 = 0
        while let message = curl_multi_info_read(multi, &queued) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            let code = message.pointee.data.result
            var privatePointer: UnsafeMutableRawPointer?
            _ = ccurl_easy_getinfo_ptr(easy, CURLINFO_PRIVATE, &privatePointer)
            guard let privatePointer else { continue }
            let transfer = Unmanaged<Transfer>.fromOpaque(privatePointer).takeUnretainedValue()
            var status = 0
            var transportError: String?
            if code == CURLE_OK {
                _ = ccurl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
            } else {
                let detail = String(cString: transfer.errorBuffer)
                let summary = String(cString: curl_easy_strerror(code))
                transportError = detail.isEmpty ? summary : "\(summary): \(detail)"
            }
            curl_multi_remove_handle(multi, easy)
            inFlight[transfer.tag] = nil
            results.append(
                Result(
                    tag: transfer.tag,
                    status: status,
                    transportError: transportError,
                    retryAfter: transfer.retryAfter,
                    bodyPrefix: transfer.body
                )
            )
            transfer.release()
        }
        return results
    }

    /// Makes a `poll` that is waiting return at once (from any thread).
    public func wakeUp() {
        _ = curl_multi_wakeup(multi)
    }

    /// Checks a URL the way libcurl will parse it, and that it is plain HTTP(S); nil when fine.
    public static func problem(with url: String) -> String? {
        guard let handle = curl_url() else { return "cannot allocate a URL parser" }
        defer { curl_url_cleanup(handle) }
        let code = curl_url_set(handle, CURLUPART_URL, url, 0)
        if code != CURLUE_OK { return "invalid URL \"\(url)\": \(String(cString: curl_url_strerror(code)))" }
        var scheme: UnsafeMutablePointer<CChar>?
        guard curl_url_get(handle, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK, let scheme else {
            return "invalid URL \"\(url)\": no scheme"
        }
        defer { curl_free(scheme) }
        let name = String(cString: scheme).lowercased()
        return name == "http" || name == "https"
            ? nil : "invalid URL \"\(url)\": scheme \"\(name)\" is not http or https"
    }
}

/// One request's libcurl handle and what its callbacks gather; freed by `release()`.
private final class Transfer {
    static let bodyLimit = 512
    let easy: UnsafeMutableRawPointer
    let tag: Int
    private(set) var headerList: UnsafeMutablePointer<curl_slist>?
    let errorBuffer: UnsafeMutablePointer<CChar>
    var body: [UInt8] = []
    var retryAfter: String?

    init(easy: UnsafeMutableRawPointer, tag: Int) {
        self.easy = easy
        self.tag = tag
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    func appendHeader(_ line: String) {
        headerList = curl_slist_append(headerList, line)
    }

    func release() {
        curl_easy_cleanup(easy)
        curl_slist_free_all(headerList)
        headerList = nil
        errorBuffer.deallocate()
    }
}

private let writeCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    data,
    size,
    count,
    user in
    let length = size * count
    guard let data, let user else { return length }
    let transfer = Unmanaged<Transfer>.fromOpaque(user).takeUnretainedValue()
    let room = Transfer.bodyLimit - transfer.body.count
    if room > 0 {
        data.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
            transfer.body.append(contentsOf: UnsafeBufferPointer(start: bytes, count: min(room, length)))
        }
    }
    return length
}

private let headerCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    data,
    size,
    count,
    user in
    let length = size * count
    guard let data, let user else { return length }
    let transfer = Unmanaged<Transfer>.fromOpaque(user).takeUnretainedValue()
    let line = data.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
        String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self)
    }
    if line.hasPrefix("HTTP/") {
        // A new response (after a 1xx): forget the previous one's fields.
        transfer.retryAfter = nil
    } else if let colon = line.firstIndex(of: ":"), line[..<colon].lowercased() == "retry-after" {
        transfer.retryAfter = trimmed(line[line.index(after: colon)...])
    }
    return length
}

/// `text` without leading and trailing spaces, tabs and line ends (a field line ends in CRLF).
private func trimmed(_ text: Substring) -> String {
    let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
    return String(text.drop(while: isSpace).reversed().drop(while: isSpace).reversed())
}
