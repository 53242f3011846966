import CCurl
import Foundation

/// HTTP POSTs over libcurl's multi interface: a fixed number of request slots (one easy handle
/// each) sharing the multi handle's connection cache, so connections are kept alive and reused.
///
/// Driven with `curl_multi_perform` and `curl_multi_poll`. (`curl_multi_socket_action` with our
/// own poll(2) set was tried: it saves perform's per-transfer socket checks, but measured the
/// same CPU per request here, 17-19 us, at 64 and 256 connections, so the simpler API stays.)
///
/// Not thread-safe by design: one thread (the load runner's) owns it and drives it with
/// `perform`/`poll`; libcurl calls back only from inside those, on that same thread.
final class CurlMultiClient {
    /// How one request ended: an HTTP status, or a transport error (status 0) with curl's message.
    struct Completion {
        let slot: Int
        let httpStatus: Int
        let transportError: String?
        let startNanos: UInt64
    }

    let url: String
    private let multi: UnsafeMutableRawPointer
    private let headers: UnsafeMutablePointer<curl_slist>
    private var slots: [CurlRequestSlot] = []
    private var freeSlots: [Int]

    /// libcurl's global init is not thread-safe in older versions: run it exactly once
    /// (Swift runs a global's initializer once, thread-safely).
    private static let globalInit: CURLcode = curl_global_init(3)  // CURL_GLOBAL_ALL

    init(
        url: String,
        contentType: String,
        clientName: String? = nil,
        concurrency: Int,
        timeoutMillis: Int,
        connectTimeoutMillis: Int,
        responseLimit: Int
    ) throws {
        precondition(concurrency > 0, "need at least one connection")
        guard Self.globalInit == CURLE_OK else {
            throw CurlSetupError(
                description: "curl_global_init failed: \(String(cString: curl_easy_strerror(Self.globalInit)))"
            )
        }
        guard let multi = curl_multi_init() else { throw CurlSetupError(description: "curl_multi_init failed") }
        self.url = url
        self.multi = multi
        var list: UnsafeMutablePointer<curl_slist>?
        // "Expect:" turns off 100-continue, which curl would otherwise use for bodies over 1 KiB
        // (every batch): a wasted round trip per request.
        var lines = ["Content-Type: \(contentType)", "Accept: application/json", "Expect:"]
        // CR and LF would end the header early and start another.
        if let clientName { lines.append("X-Client-Name: \(clientName.filter { $0 != "\r" && $0 != "\n" })") }
        for header in lines {
            list = curl_slist_append(list, header)
        }
        guard let list else {
            curl_multi_cleanup(multi)
            throw CurlSetupError(description: "curl_slist_append failed")
        }
        headers = list
        freeSlots = Array((0..<concurrency).reversed())

        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, concurrency)
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, concurrency)
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, concurrency)

        for index in 0..<concurrency {
            guard let easy = curl_easy_init() else { throw CurlSetupError(description: "curl_easy_init failed") }
            let slot = CurlRequestSlot(index: index, easy: easy, responseLimit: responseLimit)
            slots.append(slot)
            try configure(slot, timeoutMillis: timeoutMillis, connectTimeoutMillis: connectTimeoutMillis)
        }
    }

    deinit {
        for slot in slots where slot.startNanos != 0 { curl_multi_remove_handle(multi, slot.easy) }
        slots.removeAll()
        curl_multi_cleanup(multi)
        curl_slist_free_all(headers)
    }

    var inFlight: Int { slots.count - freeSlots.count }
    var hasFreeSlot: Bool { !freeSlots.isEmpty }

    /// Starts a POST of `body`; returns the slot it runs in, or nil if all are busy.
    func submit(body: [UInt8], now: UInt64) -> Int? {
        guard let index = freeSlots.popLast() else { return nil }
        let slot = slots[index]
        slot.setBody(body)
        slot.response.removeAll(keepingCapacity: true)
        slot.errorBuffer[0] = 0
        slot.startNanos = now
        _ = ccurl_easy_setopt_long(slot.easy, CURLOPT_POSTFIELDSIZE, body.count)
        _ = ccurl_easy_setopt_ptr(slot.easy, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(slot.body))
        let code = curl_multi_add_handle(multi, slot.easy)
        if code != CURLM_OK {
            // Only on misuse (handle already added): give the slot back rather than leak it.
            slot.startNanos = 0
            freeSlots.append(index)
            return nil
        }
        return index
    }

    /// Lets libcurl do whatever work is ready (start transfers just added, send, read, expire
    /// timeouts) without blocking.
    func perform() {
        var running: Int32 = 0
        _ = curl_multi_perform(multi, &running)
    }

    /// Waits up to `timeoutMillis` for socket activity, or less if a libcurl timeout is due
    /// sooner; with nothing in flight it just sleeps (unlike curl_multi_wait).
    func poll(timeoutMillis: Int) {
        var ready: Int32 = 0
        _ = curl_multi_poll(multi, nil, 0, Int32(clamping: max(0, timeoutMillis)), &ready)
    }

    /// Hands every finished request to `handle` and frees its slot (after `handle` returns, so
    /// the handler may still read the slot's response).
    func drainCompletions(_ handle: (Completion) -> Void) {
        var queued: Int32 = 0
        while let message = curl_multi_info_read(multi, &queued) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            let result = message.pointee.data.result
            var privatePointer: UnsafeMutableRawPointer?
            _ = ccurl_easy_getinfo_ptr(easy, CURLINFO_PRIVATE, &privatePointer)
            guard let privatePointer else { continue }
            let slot = Unmanaged<CurlRequestSlot>.fromOpaque(privatePointer).takeUnretainedValue()
            var status = 0
            var transportError: String?
            if result == CURLE_OK {
                _ = ccurl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
            } else {
                let detail = String(cString: slot.errorBuffer)
                let summary = String(cString: curl_easy_strerror(result))
                transportError = detail.isEmpty ? summary : "\(summary): \(detail)"
            }
            curl_multi_remove_handle(multi, easy)
            handle(
                Completion(
                    slot: slot.index,
                    httpStatus: status,
                    transportError: transportError,
                    startNanos: slot.startNanos
                )
            )
            slot.startNanos = 0
            freeSlots.append(slot.index)
        }
    }

    func response(ofSlot index: Int) -> [UInt8] { slots[index].response }

    private func configure(_ slot: CurlRequestSlot, timeoutMillis: Int, connectTimeoutMillis: Int) throws {
        let easy = slot.easy
        var codes: [CURLcode] = []
        codes.append(ccurl_easy_setopt_string(easy, CURLOPT_URL, url))
        codes.append(ccurl_easy_setopt_ptr(easy, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headers)))
        codes.append(ccurl_easy_setopt_long(easy, CURLOPT_POST, 1))
        codes.append(ccurl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1))
        codes.append(ccurl_easy_setopt_long(easy, CURLOPT_TCP_NODELAY, 1))
        codes.append(ccurl_easy_setopt_long(easy, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1)))
        codes.append(ccurl_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, timeoutMillis))
        codes.append(ccurl_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, connectTimeoutMillis))
        codes.append(ccurl_easy_setopt_string(easy, CURLOPT_USERAGENT, "txgen/1.0"))
        // No proxy, ever: a load generator must hit the gateway itself, and an explicit empty
        // proxy also spares libcurl reading the *_proxy environment variables on every request.
        codes.append(ccurl_easy_setopt_string(easy, CURLOPT_PROXY, ""))
        codes.append(ccurl_easy_setopt_ptr(easy, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(slot.errorBuffer)))
        let opaque = Unmanaged.passUnretained(slot).toOpaque()
        codes.append(ccurl_easy_setopt_ptr(easy, CURLOPT_PRIVATE, opaque))
        codes.append(ccurl_easy_setopt_ptr(easy, CURLOPT_WRITEDATA, opaque))
        codes.append(
            ccurl_easy_setopt_write_callback(easy) { data, size, count, user in
                let length = size * count
                guard let data, let user else { return length }
                let slot = Unmanaged<CurlRequestSlot>.fromOpaque(user).takeUnretainedValue()
                let room = slot.responseLimit - slot.response.count
                if room > 0 {
                    data.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
                        slot.response.append(contentsOf: UnsafeBufferPointer(start: bytes, count: min(room, length)))
                    }
                }
                return length
            }
        )
        if let failed = codes.first(where: { $0 != CURLE_OK }) {
            throw CurlSetupError(description: "curl_easy_setopt failed: \(String(cString: curl_easy_strerror(failed)))")
        }
    }

    /// Checks a URL the way libcurl will parse it, and that it is plain HTTP(S), so that a typo
    /// fails up front with curl's own words instead of as thousands of counted errors.
    static func validate(url: String) -> String? {
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
        if name != "http" && name != "https" {
            return "invalid URL \"\(url)\": scheme \"\(name)\" is not http or https"
        }
        return nil
    }
}
