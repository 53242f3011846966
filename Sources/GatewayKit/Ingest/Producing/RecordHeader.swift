/// One header of a record the gateway writes or reads: a name and opaque bytes (names may repeat).
package struct RecordHeader: Sendable, Equatable {
    package var name: String
    package var value: [UInt8]

    package init(_ name: String, _ value: [UInt8]) {
        self.name = name
        self.value = value
    }
}
