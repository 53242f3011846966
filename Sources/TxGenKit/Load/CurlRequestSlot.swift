import CCurl

/// One in-flight request's easy handle and the memory libcurl reads and writes while it runs.
///
/// The body is copied into memory owned here because `CURLOPT_POSTFIELDS` does not copy and
/// must stay valid until the transfer completes.
final class CurlRequestSlot {
    let index: Int
    let easy: UnsafeMutableRawPointer
    private(set) var body: UnsafeMutablePointer<UInt8>
    private(set) var bodyCapacity: Int
    /// The response body, up to `responseLimit` bytes (the rest is read and dropped).
    var response: [UInt8] = []
    let responseLimit: Int
    let errorBuffer: UnsafeMutablePointer<CChar>
    var startNanos: UInt64 = 0

    init(index: Int, easy: UnsafeMutableRawPointer, responseLimit: Int) {
        self.index = index
        self.easy = easy
        self.responseLimit = responseLimit
        bodyCapacity = 1024
        body = .allocate(capacity: bodyCapacity)
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    func setBody(_ bytes: [UInt8]) {
        if bytes.count > bodyCapacity {
            body.deallocate()
            bodyCapacity = max(bytes.count, bodyCapacity * 2)
            body = .allocate(capacity: bodyCapacity)
        }
        bytes.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { body.update(from: base, count: source.count) }
        }
    }

    deinit {
        curl_easy_cleanup(easy)
        body.deallocate()
        errorBuffer.deallocate()
    }
}
