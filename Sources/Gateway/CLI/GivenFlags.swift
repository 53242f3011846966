import ArgumentParser

/// The flags given on a command line, by setting name, read from a command's `@Option` properties.
///
/// Every setting flag is declared as `@Option var someName: String?` (or `[String]` when it may be
/// repeated), named like its setting
/// (`someName` is `--some-name`); the library's settings table parses the text, so a flag and its
/// environment variable are checked by the same code.
enum GivenFlags {
    /// `-X key=value` (librdkafka properties by name) is no setting of the table: it is parsed apart.
    static let passThrough: Set<String> = ["kafka-property"]

    static func of(_ arguments: some ParsableArguments) -> [String: String] {
        var flags: [String: String] = [:]
        for child in Mirror(reflecting: arguments).children {
            guard let label = child.label, !passThrough.contains(flagName(label)) else { continue }
            if let option = child.value as? Option<String?>, let value = option.wrappedValue {
                flags[flagName(label)] = value
            } else if let option = child.value as? Option<[String]>, !option.wrappedValue.isEmpty {
                // A repeatable flag: its values one per line, which its setting splits again.
                flags[flagName(label)] = option.wrappedValue.joined(separator: "\n")
            }
        }
        return flags
    }

    /// The names of every setting flag a command declares, given or not (for the tests).
    static func declared(by arguments: some ParsableArguments) -> [String] {
        Mirror(reflecting: arguments).children.compactMap { child in
            guard let label = child.label, !passThrough.contains(flagName(label)),
                child.value is Option<String?> || child.value is Option<[String]>
            else { return nil }
            return flagName(label)
        }
    }

    /// `_deliveryTimeoutMs` (the wrapper's storage) is `delivery-timeout-ms`, ArgumentParser's own
    /// conversion.
    private static func flagName(_ label: String) -> String {
        var name = ""
        for character in label.drop(while: { $0 == "_" }) {
            if character.isUppercase {
                name += "-" + character.lowercased()
            } else {
                name.append(character)
            }
        }
        return name
    }
}
