/// An ordered list of settings and how they are resolved: for each, the flag if given, else its
/// environment variable if set and not empty, else the configuration's default. The order matters
/// where one setting builds on another (the rules file is applied before the rule flags).
package struct SettingsTable<Configuration> {
    package let settings: [Setting<Configuration>]

    package init(_ settings: [Setting<Configuration>]) { self.settings = settings }

    package subscript(name: String) -> Setting<Configuration>? {
        settings.first { $0.name == name }
    }

    /// `flags` holds the flags given on the command line, by setting name.
    package func resolve(
        _ defaults: Configuration,
        flags: [String: String],
        environment: [String: String]
    ) throws(ConfigurationError) -> Configuration {
        var configuration = defaults
        for setting in settings {
            if let text = flags[setting.name] {
                try setting.apply(text, from: "--\(setting.name)", to: &configuration)
            } else if let text = environment[setting.environment], !text.isEmpty {
                try setting.apply(text, from: setting.environment, to: &configuration)
            }
        }
        return configuration
    }

    /// The help of the setting named `name`; a name missing from the table is a programming error
    /// that the command-line tests catch.
    package func help(_ name: String, defaults: Configuration) -> String {
        guard let setting = self[name] else { preconditionFailure("no setting named \(name)") }
        return setting.help(defaults: defaults)
    }
}
