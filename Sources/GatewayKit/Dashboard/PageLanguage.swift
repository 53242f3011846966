import Foundation
import HTTPCore

/// The language of the pages for people (the dashboard, the cluster view): Portuguese (Brazil) or
/// English, from `?lang=` (the pages' switch) or else `Accept-Language` (RFC 9110 §12.5.4: the
/// highest quality among the languages offered wins; English when none is offered). Problem
/// documents stay in English: they are for programs.
enum PageLanguage: String, CaseIterable, Sendable {
    case english = "en"
    case portuguese = "pt-BR"

    static func of(_ request: HTTPRequest) -> PageLanguage {
        for item in request.queryItems() where item.name == "lang" {
            if let chosen = match(item.value) { return chosen }
        }
        return negotiate(request.headers["Accept-Language"])
    }

    static func negotiate(_ header: String?) -> PageLanguage {
        guard let header else { return .english }
        var best: (language: PageLanguage, quality: Double)?
        for part in header.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first, let language = match(tag) else { continue }
            var quality = 1.0
            for parameter in pieces.dropFirst() where parameter.lowercased().hasPrefix("q=") {
                quality = Double(parameter.dropFirst(2)) ?? 0
            }
            if quality > 0, quality > (best?.quality ?? 0) { best = (language, quality) }
        }
        return best?.language ?? .english
    }

    private static func match(_ tag: String) -> PageLanguage? {
        let lower = tag.lowercased()
        if lower == "pt" || lower.hasPrefix("pt-") { return .portuguese }
        if lower == "en" || lower.hasPrefix("en-") { return .english }
        return nil
    }
}
