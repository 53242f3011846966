extension HTTPRequest.Method {
    /// The method a request line's first word names, or nil when it is not a token (RFC 9110 §9.1).
    /// The common methods are swift-http-types' constants, recognised byte by byte: no String is
    /// built or validated for them.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> Self? {
        switch bytes.count {
        case 3 where equals(bytes, "GET"): return .get
        case 4 where equals(bytes, "POST"): return .post
        case 4 where equals(bytes, "HEAD"): return .head
        case 3 where equals(bytes, "PUT"): return .put
        case 6 where equals(bytes, "DELETE"): return .delete
        case 7 where equals(bytes, "OPTIONS"): return .options
        case 5 where equals(bytes, "PATCH"): return .patch
        default: return Self(ASCII.string(bytes))
        }
    }

    /// Case-sensitive, unlike `ASCII.equalsLowercase`: methods are (RFC 9110 §9.1).
    private static func equals(_ bytes: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        literal.withUTF8Buffer { bytes.elementsEqual($0) }
    }
}
