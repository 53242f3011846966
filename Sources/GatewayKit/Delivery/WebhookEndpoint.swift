import WebhookClient

/// One configured receiver of alert webhooks: its URL and which alerts it wants (every alert when
/// both filters are empty).
///
/// Written `URL [rule=NAME,...] [severity=LEVEL,...]`; several endpoints are separated by
/// whitespace (each `--alert-webhook` flag is one, `GATEWAY_ALERT_WEBHOOK` may hold several):
/// a word starting with `http://` or `https://` starts an endpoint, the filter words after it are its own.
package struct WebhookEndpoint: Sendable, Hashable {
    package var url: String
    var rules: Set<AlertRuleName> = []
    var severities: Set<AlertSeverity> = []

    /// How `/metrics` and logs name the endpoint: the URL without its query, which may carry a token.
    var label: String { String(url.prefix { $0 != "?" && $0 != "#" }) }

    func wants(rule: AlertRuleName, severity: AlertSeverity) -> Bool {
        (rules.isEmpty || rules.contains(rule)) && (severities.isEmpty || severities.contains(severity))
    }

    static let form =
        "URL [rule=NAME,...] [severity=LEVEL,...]: an http(s) URL, optionally followed by the rules (\(AlertRuleName.allCases.map(\.rawValue).joined(separator: ", "))) and severities (\(AlertSeverity.allCases.map(\.rawValue).joined(separator: ", "))) it receives"

    /// Parses one or more endpoints; throws the first problem in words.
    static func parseList(_ text: String) throws(ValueError) -> [WebhookEndpoint] {
        var endpoints: [WebhookEndpoint] = []
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).map(String.init)
        {
            if word.hasPrefix("http://") || word.hasPrefix("https://") {
                if let problem = WebhookHTTPClient.problem(with: word) {
                    throw ValueError(expected: "\(form); \(problem)")
                }
                endpoints.append(WebhookEndpoint(url: word))
                continue
            }
            guard !endpoints.isEmpty else { throw ValueError(expected: "\(form); \"\(word)\" is not an http(s) URL") }
            let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else {
                throw ValueError(expected: "\(form); \"\(word)\" is neither rule= nor severity=")
            }
            for name in parts[1].split(separator: ",").map(String.init) {
                switch parts[0] {
                case "rule":
                    guard let rule = AlertRuleName(rawValue: name) else {
                        throw ValueError(expected: "\(form); \"\(name)\" is no rule")
                    }
                    endpoints[endpoints.count - 1].rules.insert(rule)
                case "severity":
                    guard let severity = AlertSeverity(rawValue: name) else {
                        throw ValueError(expected: "\(form); \"\(name)\" is no severity")
                    }
                    endpoints[endpoints.count - 1].severities.insert(severity)
                default:
                    throw ValueError(expected: "\(form); \"\(word)\" is neither rule= nor severity=")
                }
            }
        }
        return endpoints
    }

    /// The endpoint as written on the command line (for `--help` defaults and the start-up log).
    var description: String {
        var words = [url]
        if !rules.isEmpty { words.append("rule=" + rules.map(\.rawValue).sorted().joined(separator: ",")) }
        if !severities.isEmpty {
            words.append("severity=" + severities.map(\.rawValue).sorted().joined(separator: ","))
        }
        return words.joined(separator: " ")
    }
}
