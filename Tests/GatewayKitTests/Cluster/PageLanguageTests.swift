import HTTPCore
import Testing

@testable import GatewayKit

/// Which language the pages for people speak: `?lang=` first, then the best of `Accept-Language`.
@Suite struct PageLanguageTests {
    static func request(_ target: String = "/", acceptLanguage: String? = nil) -> HTTPRequest {
        var headers = HTTPHeaders()
        if let acceptLanguage { headers.add("Accept-Language", acceptLanguage) }
        return HTTPRequest(method: .get, target: target, headers: headers)
    }

    @Test(arguments: [
        ("pt-BR,pt;q=0.9,en;q=0.8", PageLanguage.portuguese),
        ("pt", .portuguese),
        ("PT-pt", .portuguese),
        ("en-US,en;q=0.9,pt-BR;q=0.5", .english),
        ("de-DE,pt-BR;q=0.3", .portuguese),
        ("en;q=0.2, pt-BR;q=0.7", .portuguese),
        ("pt-BR;q=0", .english),
        ("fr-FR", .english),
        ("", .english),
    ])
    func acceptLanguage_choosesTheBestOffered(header: String, expected: PageLanguage) {
        #expect(PageLanguage.of(Self.request(acceptLanguage: header)) == expected)
    }

    @Test func noHeader_isEnglish() {
        #expect(PageLanguage.of(Self.request()) == .english)
    }

    @Test func theSwitch_winsOverTheHeader() {
        #expect(PageLanguage.of(Self.request("/?lang=en", acceptLanguage: "pt-BR")) == .english)
        #expect(PageLanguage.of(Self.request("/cluster.html?lang=pt-BR", acceptLanguage: "en")) == .portuguese)
        #expect(PageLanguage.of(Self.request("/?lang=xx", acceptLanguage: "pt-BR")) == .portuguese)
    }
}
