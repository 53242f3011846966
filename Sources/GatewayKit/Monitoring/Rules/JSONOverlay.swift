import Foundation

/// Lays a JSON document (a settings file) over another (the defaults, encoded): objects merge
/// member by member, anything else replaces, `null` keeps the default. A member the defaults do not
/// have is an error naming it (a misspelt "treshold" silently ignored would be worse), except inside
/// the objects named in `freeMaps`, whose keys are data (currency codes, say).
enum JSONOverlay {
    static func lay(_ top: Any, over base: Any, freeMaps: Set<String>, path: [JSONKey] = []) throws -> Any {
        if top is NSNull { return base }
        guard let baseObject = base as? [String: Any] else { return top }
        guard let topObject = top as? [String: Any] else {
            throw DecodingError.typeMismatch(
                [String: Any].self,
                .init(codingPath: path, debugDescription: "must be a JSON object")
            )
        }
        if let last = path.last, freeMaps.contains(last.stringValue) { return topObject }
        var merged = baseObject
        for key in topObject.keys.sorted() {
            guard let baseValue = baseObject[key] else {
                let expected = baseObject.keys.sorted().joined(separator: ", ")
                throw DecodingError.dataCorrupted(
                    .init(
                        codingPath: path + [JSONKey(key)],
                        debugDescription: "unknown key \"\(key)\"; expected one of: \(expected)"
                    )
                )
            }
            merged[key] = try lay(topObject[key]!, over: baseValue, freeMaps: freeMaps, path: path + [JSONKey(key)])
        }
        return merged
    }
}
