/// An ordered list of header fields.
///
/// Order and repeated names are preserved as received (RFC 9110 §5.3: the order of field lines with
/// the same name is significant). Lookup by name is ASCII case-insensitive (RFC 9110 §5.1), without
/// allocating a lowercased copy.
public struct HTTPHeaders: Sendable, Sequence, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    public typealias Element = (name: String, value: String)

    internal var fields: [Element]

    public init(_ pairs: [(String, String)] = []) {
        fields = pairs.map { (name: $0.0, value: $0.1) }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    /// Used by the parser, which already built the labelled array; avoids a second copy.
    internal init(fields: [Element]) {
        self.fields = fields
    }

    /// The first value for `name`, if any.
    public subscript(name: String) -> String? {
        for field in fields where Self.nameEquals(field.name, name) {
            return field.value
        }
        return nil
    }

    /// Every value for `name`, in received order.
    public func values(_ name: String) -> [String] {
        fields.compactMap { Self.nameEquals($0.name, name) ? $0.value : nil }
    }

    public func contains(_ name: String) -> Bool {
        fields.contains { Self.nameEquals($0.name, name) }
    }

    public mutating func add(_ name: String, _ value: String) {
        fields.append((name: name, value: value))
    }

    /// Replaces the first field named `name` in place and drops any later ones; appends when absent.
    public mutating func replaceOrAdd(_ name: String, _ value: String) {
        guard let first = fields.firstIndex(where: { Self.nameEquals($0.name, name) }) else {
            add(name, value)
            return
        }
        fields[first].value = value
        var index = fields.index(after: first)
        while index < fields.endIndex {
            if Self.nameEquals(fields[index].name, name) {
                fields.remove(at: index)
            } else {
                index += 1
            }
        }
    }

    public mutating func remove(_ name: String) {
        fields.removeAll { Self.nameEquals($0.name, name) }
    }

    public var count: Int { fields.count }
    public var isEmpty: Bool { fields.isEmpty }

    public func makeIterator() -> IndexingIterator<[Element]> {
        fields.makeIterator()
    }

    public var description: String {
        fields.map { "\($0.name): \($0.value)" }.joined(separator: "\n")
    }

    /// ASCII case-insensitive comparison over UTF-8 bytes; header names are tokens (RFC 9110 §5.1).
    internal static func nameEquals(_ lhs: String, _ rhs: String) -> Bool {
        // Most names differ in length, known without touching the bytes: a route looks up several
        // fields per request, each against every field received.
        guard lhs.utf8.count == rhs.utf8.count else { return false }
        var lhs = lhs
        var rhs = rhs
        return lhs.withUTF8 { left in
            rhs.withUTF8 { right in
                ASCII.equalsCaseInsensitive(UnsafeRawBufferPointer(left), UnsafeRawBufferPointer(right))
            }
        }
    }
}
