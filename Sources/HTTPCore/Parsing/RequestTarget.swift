/// The four request-target forms of RFC 9112 §3.2, reduced to what routing needs: a path and a query.
enum RequestTarget {
    /// Byte ranges of the path and the query (without '?') inside a request-target.
    struct Parts: Equatable {
        var path: Range<Int>
        var query: Range<Int>?
    }

    /// Validates the target's form for `method` and locates its path and query; nil means 400.
    /// Characters were already checked to be visible ASCII by the request-line parser.
    static func parse(_ target: UnsafeRawBufferPointer, method: UnsafeRawBufferPointer) -> Parts? {
        guard let first = target.first else { return nil }
        if first == UInt8(ascii: "/") {
            return originForm(target, from: 0)
        }
        if ASCII.equalsLowercase(method, "connect") {
            // authority-form (§3.2.3): host:port, used only by CONNECT.
            return target.contains(ASCII.colon) ? Parts(path: 0..<target.count, query: nil) : nil
        }
        if target.count == 1, first == UInt8(ascii: "*") {
            // asterisk-form (§3.2.4) is only for a server-wide OPTIONS.
            return ASCII.equalsLowercase(method, "options") ? Parts(path: 0..<1, query: nil) : nil
        }
        return absoluteForm(target)
    }

    /// origin-form = absolute-path [ "?" query ] (§3.2.1). A '#' cannot occur in a request-target.
    private static func originForm(_ target: UnsafeRawBufferPointer, from start: Int) -> Parts? {
        var index = start
        while index < target.count {
            let byte = target[index]
            if byte == UInt8(ascii: "#") { return nil }
            if byte == UInt8(ascii: "?") { break }
            index += 1
        }
        guard index < target.count else {
            return Parts(path: start..<target.count, query: nil)
        }
        let queryStart = index + 1
        for byte in target[queryStart...] where byte == UInt8(ascii: "#") { return nil }
        return Parts(path: start..<index, query: queryStart..<target.count)
    }

    /// absolute-form (§3.2.2): servers must accept it. Only http and https URIs make sense here.
    private static func absoluteForm(_ target: UnsafeRawBufferPointer) -> Parts? {
        let schemeEnd: Int
        if hasPrefix(target, "http://") {
            schemeEnd = 7
        } else if hasPrefix(target, "https://") {
            schemeEnd = 8
        } else {
            return nil
        }
        var index = schemeEnd
        while index < target.count, target[index] != UInt8(ascii: "/"), target[index] != UInt8(ascii: "?") {
            index += 1
        }
        guard index > schemeEnd else { return nil }  // empty authority
        if index == target.count {
            return Parts(path: index..<index, query: nil)  // path-abempty: treated as "/"
        }
        if target[index] == UInt8(ascii: "?") {
            guard var parts = originForm(target, from: index) else { return nil }
            parts.path = index..<index
            return parts
        }
        return originForm(target, from: index)
    }

    private static func hasPrefix(_ bytes: UnsafeRawBufferPointer, _ prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard bytes.count >= count else { return false }
        return ASCII.equalsLowercase(UnsafeRawBufferPointer(rebasing: bytes[0..<count]), prefix)
    }

    /// String convenience for `HTTPRequest`'s public initializer; an invalid target keeps itself as path.
    static func split(_ target: String, method: HTTPRequest.Method) -> (path: String, query: String?) {
        var target = target
        var method = method.rawValue
        return target.withUTF8 { targetBytes in
            method.withUTF8 { methodBytes in
                let raw = UnsafeRawBufferPointer(targetBytes)
                guard let parts = parse(raw, method: UnsafeRawBufferPointer(methodBytes)) else {
                    return (String(decoding: raw, as: UTF8.self), nil)
                }
                return strings(raw, parts)
            }
        }
    }

    static func strings(_ target: UnsafeRawBufferPointer, _ parts: Parts) -> (path: String, query: String?) {
        let path = parts.path.isEmpty ? "/" : ASCII.string(UnsafeRawBufferPointer(rebasing: target[parts.path]))
        let query = parts.query.map { ASCII.string(UnsafeRawBufferPointer(rebasing: target[$0])) }
        return (path, query)
    }
}
