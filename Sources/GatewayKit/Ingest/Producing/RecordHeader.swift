/// One header of a record the gateway writes: a name and opaque bytes (names may repeat).
package struct RecordHeader: Sendable, Equatable, HeaderField {
    package var name: String
    package var value: [UInt8]

    package init(_ name: String, _ value: [UInt8]) {
        self.name = name
        self.value = value
    }
}

/// A header as readers of record headers see it (the trace context reader): the gateway's own
/// `RecordHeader` and the headers of consumed records both are one.
package protocol HeaderField {
    var name: String { get }
    var value: [UInt8] { get }
}
