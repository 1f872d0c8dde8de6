import Foundation
import RinglogTestSupport
import Testing

@testable import RinglogPipedrive

@Suite("HTTP proxy addresses and the variables that name them")
struct HTTPProxySettingsTests {
    @Test("a proxy address: scheme, port and credentials as curl reads them")
    func parsing() throws {
        let bare = try HTTPProxy(url: "proxy.example.com:3128")
        #expect(bare.host == "proxy.example.com" && bare.port == 3128 && bare.authorization == nil)
        #expect(try HTTPProxy(url: "http://proxy.example.com/").port == HTTPProxy.defaultPort)
        let withCredentials = try HTTPProxy(url: " http://ringlog:p%40ss@[::1]:8080 ")
        #expect(withCredentials.host == "::1" && withCredentials.port == 8080)
        #expect(withCredentials.authorization == "Basic " + Data("ringlog:p@ss".utf8).base64EncodedString())
        #expect(throws: HTTPProxyError.self) { try HTTPProxy(url: "https://proxy.example.com:443") }
        #expect(throws: HTTPProxyError.self) { try HTTPProxy(url: "http://proxy.example.com:3128/path") }
        #expect(throws: HTTPProxyError.self) { try HTTPProxy(url: "http://") }
    }

    @Test("https_proxy for https, http_proxy for http, no_proxy and loopback direct")
    func environment() throws {
        let variables = [
            "HTTPS_PROXY": "http://secure.proxy:3128", "http_proxy": "plain.proxy:8080",
            "HTTP_PROXY": "http://ignored.proxy:1", "no_proxy": " .internal.example, intranet ,",
        ]
        let settings = HTTPProxySettings.environment { variables[$0] }
        let pipedrive = HTTPOrigin(secure: true, host: "acme.pipedrive.com", port: 443)
        #expect(try settings.proxy(for: pipedrive)?.host == "secure.proxy")
        #expect(
            try settings.proxy(for: HTTPOrigin(secure: false, host: "example.com", port: 80))?.host == "plain.proxy")
        for direct in ["crm.internal.example", "internal.example", "INTRANET", "localhost", "127.0.0.1", "::1"] {
            #expect(try settings.proxy(for: HTTPOrigin(secure: true, host: direct, port: 443)) == nil, "\(direct)")
        }
        #expect(try settings.proxy(for: HTTPOrigin(secure: true, host: "notinternal.example", port: 443)) != nil)
        let everything = HTTPProxySettings.environment { ["https_proxy": "p:1", "NO_PROXY": "*"][$0] }
        #expect(try everything.proxy(for: pipedrive) == nil)
        #expect(try HTTPProxySettings.environment { _ in nil }.proxy(for: pipedrive) == nil)
    }

    @Test("an unusable proxy variable fails the requests it would carry, naming it without its password")
    func unusableVariable() {
        let settings = HTTPProxySettings.environment { ["https_proxy": "https://ringlog:s3cret@proxy:443"][$0] }
        do {
            _ = try settings.proxy(for: HTTPOrigin(secure: true, host: "acme.pipedrive.com", port: 443))
            Issue.record("expected a failure")
        } catch {
            let text = "\(error)"
            #expect(text.contains("https://ringlog:***@proxy:443") && text.contains("http://HOST:PORT"), "\(text)")
            #expect(!text.contains("s3cret"))
        }
        #expect(throws: Never.self) {
            _ = try settings.proxy(for: HTTPOrigin(secure: false, host: "example.com", port: 80))
        }
    }

    @Test("a plain http request through a proxy names its whole URL and carries the proxy's credentials")
    func absoluteForm() throws {
        let url = try #require(URL(string: "http://example.com:8080/api/v1/users?limit=2"))
        var request = HTTPRequest(url: url)
        request.setHeader("Proxy-Authorization", "Basic smuggled")
        let origin = try SocketHTTPTransport.origin(of: url)
        let proxy = try HTTPProxy(url: "http://u:p@proxy:3128")
        let head = String(decoding: SocketHTTPTransport.head(of: request, origin: origin, proxy: proxy), as: UTF8.self)
        #expect(
            head
                == "GET http://example.com:8080/api/v1/users?limit=2 HTTP/1.1\r\nHost: example.com:8080\r\n"
                + "Proxy-Authorization: Basic dTpw\r\n\r\n")
    }
}
