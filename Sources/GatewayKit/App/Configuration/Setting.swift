/// One configuration option, declared once: its flag (`--name`), its environment variable, its
/// help, the form its value takes, and where in the configuration it lands.
///
/// Flags and environment variables are parsed by the same `ValueForm`, so `GATEWAY_PORT=80x` is
/// refused exactly like `--port 80x` (before, a bad environment value silently became the default).
/// Defaults are not repeated here: they are the configuration type's own initial values.
package struct Setting<Configuration> {
    /// The long flag without its dashes, e.g. `delivery-timeout-ms`.
    package let name: String
    package let environment: String
    package let summary: String
    /// The accepted form in words, for `--help` and error messages.
    package let form: String
    private let describe: (Configuration) -> String?
    private let apply: (String, inout Configuration) throws(ValueError) -> Void

    package init<Value>(
        _ name: String,
        _ environment: String,
        _ summary: String,
        _ form: ValueForm<Value>,
        _ target: WritableKeyPath<Configuration, Value>
    ) {
        self.name = name
        self.environment = environment
        self.summary = summary
        self.form = form.description
        describe = { form.describe($0[keyPath: target]) }
        apply = { text, configuration throws(ValueError) in configuration[keyPath: target] = try form.parse(text) }
    }

    /// An option whose default is "none" (nil).
    package init<Value>(
        _ name: String,
        _ environment: String,
        _ summary: String,
        _ form: ValueForm<Value>,
        _ target: WritableKeyPath<Configuration, Value?>
    ) {
        self.name = name
        self.environment = environment
        self.summary = summary
        self.form = form.description
        describe = { $0[keyPath: target].map(form.describe) }
        apply = { text, configuration throws(ValueError) in configuration[keyPath: target] = try form.parse(text) }
    }

    /// An option that changes the configuration in its own way (a file to load, a list of rules to
    /// turn off); `describe` gives its default for the help.
    package init(
        _ name: String,
        _ environment: String,
        _ summary: String,
        form: String,
        describe: @escaping (Configuration) -> String?,
        apply: @escaping (String, inout Configuration) throws(ValueError) -> Void
    ) {
        self.name = name
        self.environment = environment
        self.summary = summary
        self.form = form
        self.describe = describe
        self.apply = apply
    }

    /// The `--help` text: what it does, its variable, and its default.
    package func help(defaults: Configuration) -> String {
        "\(summary) (\(environment); default \(defaultValue(defaults) ?? "none"))"
    }

    /// The default as text (the value in `defaults`); nil when there is none.
    package func defaultValue(_ defaults: Configuration) -> String? {
        describe(defaults)
    }

    /// Applies `text`, given as `source` (the flag or the variable), or says what is wrong with it.
    package func apply(
        _ text: String,
        from source: String,
        to configuration: inout Configuration
    ) throws(ConfigurationError) {
        do {
            try apply(text, &configuration)
        } catch {
            throw ConfigurationError(source: source, value: text, expected: error.expected)
        }
    }
}

/// Why a value was refused: the form it should have had.
package struct ValueError: Error {
    package let expected: String

    package init(expected: String) { self.expected = expected }
}

/// A bad setting at start-up, naming where it came from and the form expected.
package struct ConfigurationError: Error, Equatable, CustomStringConvertible {
    package let source: String
    package let value: String
    package let expected: String

    package var description: String { "\(source)=\(value): expected \(expected)" }
}
