import Foundation
import RinglogTestSupport
import Testing

@testable import RinglogPipedrive

#if canImport(Glibc)
    import Glibc
#endif

/// Tests/Fixtures/http/scripted_server.py on 127.0.0.1, optionally with TLS and a throwaway certificate
/// authority, stopped by its PID.
private final class ScriptedHTTPServer: Sendable {
    let port: Int
    let directory: String
    private let process: ChildProcess

    private init(port: Int, directory: String, process: ChildProcess) {
        self.port = port
        self.directory = directory
        self.process = process
    }

    /// The throwaway certificate authority's certificate (TLS servers only).
    var certificateAuthorityFile: String { directory + "/ca.pem" }

    static func with<Result: Sendable>(tls: Bool = false, _ body: (ScriptedHTTPServer) async throws -> Result)
        async throws -> Result
    {
        try await withPythonFixture("scripted_server.py", name: "scripted server") { directory in
            tls ? ["--tls-dir", directory] : []
        } _: { port, directory, process in
            try await body(ScriptedHTTPServer(port: port, directory: directory, process: process))
        }
    }

    func url(_ path: String, scheme: String = "http", host: String = "127.0.0.1") -> URL {
        URL(string: "\(scheme)://\(host):\(port)\(path)")!  // a fixed, valid URL
    }
}

/// Tests/Fixtures/http/proxy.py on 127.0.0.1, stopped by its PID; it logs each request line it gets.
private struct TestProxy: Sendable {
    let port: Int
    let logFile: String

    /// The request lines the proxy got, in order (" auth" appended when they carried its credentials).
    var requestLines: [String] {
        ((try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// Settings that send `https` (and `http`) requests through this proxy, with `userInfo` (`USER:PASSWORD@`).
    func settings(userInfo: String = "") throws -> HTTPProxySettings {
        let proxy = try HTTPProxy(url: "http://\(userInfo)127.0.0.1:\(port)")
        return HTTPProxySettings(https: .success(proxy), http: .success(proxy))
    }

    static func with<Result: Sendable>(credentials: String? = nil, _ body: (TestProxy) async throws -> Result)
        async throws -> Result
    {
        try await withPythonFixture("proxy.py", name: "test proxy") { directory in
            ["--log", directory + "/requests"] + (credentials.map { ["--credentials", $0] } ?? [])
        } _: { port, directory, _ in
            try await body(TestProxy(port: port, logFile: directory + "/requests"))
        }
    }
}

/// Runs `body` with the Python script `script` of Tests/Fixtures/http on 127.0.0.1: started in a new temporary
/// folder with `--port-file` and `arguments(folder)`, its port read from that file once written (at most 30 s,
/// for the TLS server's key generation), stopped by its PID and the folder removed afterwards.
private func withPythonFixture<Result: Sendable>(
    _ script: String, name: String, arguments: (_ directory: String) -> [String],
    _ body: (_ port: Int, _ directory: String, _ process: ChildProcess) async throws -> Result
) async throws -> Result {
    let directory = NSTemporaryDirectory() + "ringlog-http-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let portFile = directory + "/port"
    let process = try ChildProcess(
        executable: "/usr/bin/python3",
        arguments: [PackageRoot.path("Tests/Fixtures/http/" + script), "--port-file", portFile] + arguments(directory),
        outputPath: directory + "/output.log")
    defer { process.stopNow(grace: 5) }
    // Bounded wait for the port file: 600 × 50 ms.
    for _ in 0..<600 {
        if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let port = Int(text), port > 0 {
            return try await body(port, directory, process)
        }
        if !process.isRunning { break }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw PipedriveSimulator.Failure("the \(name) did not start: \(process.output.suffix(2000))")
}

private func get(_ transport: SocketHTTPTransport, _ url: URL) async throws -> HTTPResponse {
    try await transport.send(HTTPRequest(url: url))
}

private func text(_ response: HTTPResponse) -> String { String(decoding: response.body, as: UTF8.self) }

@Suite("HTTP transport over sockets", .serialized)
struct SocketHTTPTransportTests {
    @Test("a Content-Length body, and the next request reuses the kept-alive connection")
    func contentLengthAndReuse() async throws {
        try await ScriptedHTTPServer.with { server in
            let transport = SocketHTTPTransport()
            let first = try await get(transport, server.url("/length"))
            let second = try await get(transport, server.url("/length"))
            #expect(first.status == 200 && text(first) == "length body")
            #expect(first.header("x-connection") != nil)
            #expect(second.header("X-Connection") == first.header("X-Connection"))
        }
    }

    @Test("a chunked body with an extension and a trailer is read exactly, and the connection stays usable")
    func chunked() async throws {
        try await ScriptedHTTPServer.with { server in
            let transport = SocketHTTPTransport()
            let chunked = try await get(transport, server.url("/chunked"))
            #expect(text(chunked) == "hello, chunked world")
            let next = try await get(transport, server.url("/length"))
            #expect(text(next) == "length body")
            #expect(next.header("X-Connection") == chunked.header("X-Connection"))
        }
    }

    @Test("a connection the server closed while idle is not reused; the request goes out on a new one")
    func serverClosedIdleConnection() async throws {
        try await ScriptedHTTPServer.with { server in
            let transport = SocketHTTPTransport()
            let first = try await get(transport, server.url("/close-after"))
            #expect(text(first) == "length body")
            // Wait, bounded, until the server says it closed that connection (asked on another pool).
            let observer = SocketHTTPTransport()
            var closed = ""
            for _ in 0..<200 where closed != "1" {
                closed = text(try await get(observer, server.url("/closed")))
                if closed != "1" { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(closed == "1")
            let second = try await get(transport, server.url("/length"))
            #expect(text(second) == "length body")
            #expect(second.header("X-Connection") != first.header("X-Connection"))
        }
    }

    @Test("a server that never answers fails the request as timed out")
    func timeout() async throws {
        try await ScriptedHTTPServer.with { server in
            let transport = SocketHTTPTransport(timeout: .seconds(1))
            await #expect(throws: TransportFailure.timedOut) { try await get(transport, server.url("/silent")) }
        }
    }

    @Test("a response body beyond the limit fails, with Content-Length and chunked")
    func oversize() async throws {
        try await ScriptedHTTPServer.with { server in
            let transport = SocketHTTPTransport(.init(maximumResponseBytes: 100_000))
            let limit = TransportFailure.other("the response is larger than 100000 bytes")
            await #expect(throws: limit) { try await get(transport, server.url("/big?bytes=100001")) }
            await #expect(throws: limit) { try await get(transport, server.url("/big-chunked?bytes=300000")) }
            let fits = try await get(transport, server.url("/big-chunked?bytes=100000"))
            #expect(fits.body.count == 100_000)
        }
    }

    @Test("a body cut short is a lost connection, never a short answer")
    func truncated() async throws {
        try await ScriptedHTTPServer.with { server in
            let transport = SocketHTTPTransport()
            let failure = await #expect(throws: TransportFailure.self) {
                try await get(transport, server.url("/truncated"))
            }
            guard case .connectionLost = failure else {
                Issue.record("expected a lost connection, got \(String(describing: failure))")
                return
            }
        }
    }

    @Test("a closed port cannot be connected to")
    func refused() async throws {
        let port = try await ScriptedHTTPServer.with { server in server.port }
        let url = try #require(URL(string: "http://127.0.0.1:\(port)/length"))
        let failure = await #expect(throws: TransportFailure.self) { try await get(SocketHTTPTransport(), url) }
        guard case .cannotConnect = failure else {
            Issue.record("expected a refused connection, got \(String(describing: failure))")
            return
        }
    }

    @Test("cancelling the waiting task ends the request with CancellationError")
    func cancellation() async throws {
        try await ScriptedHTTPServer.with { server in
            let transport = SocketHTTPTransport(timeout: .seconds(60))
            let url = server.url("/silent")
            let task = Task { try await get(transport, url) }
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
        }
    }

    @Test("TLS: the certificate verifies against the configured authority, and connections are reused")
    func tlsVerified() async throws {
        try await ScriptedHTTPServer.with(tls: true) { server in
            let transport = SocketHTTPTransport(.init(trustedCertificatesFile: server.certificateAuthorityFile))
            let first = try await get(transport, server.url("/chunked", scheme: "https", host: "localhost"))
            #expect(text(first) == "hello, chunked world")
            let second = try await get(transport, server.url("/length", scheme: "https", host: "localhost"))
            #expect(text(second) == "length body")
            #expect(second.header("X-Connection") == first.header("X-Connection"))
        }
    }

    @Test(
        "TLS: the system store includes the hashed directory SSL_CERT_DIR names, looked up alone or with a bundle file",
        arguments: [false, true])
    func tlsCertificateDirectory(bundleFileSet: Bool) async throws {
        try await ScriptedHTTPServer.with(tls: true) { server in
            // The variables are read when a transport makes its TLS context, i.e. on its first https request.
            let savedFile = getenv("SSL_CERT_FILE").map { String(cString: $0) }
            if bundleFileSet {
                setenv("SSL_CERT_FILE", "/etc/ssl/certs/ca-certificates.crt", 1)
            } else {
                unsetenv("SSL_CERT_FILE")
            }
            setenv("SSL_CERT_DIR", server.directory + "/hashed", 1)
            defer {
                unsetenv("SSL_CERT_DIR")
                if let savedFile { setenv("SSL_CERT_FILE", savedFile, 1) } else { unsetenv("SSL_CERT_FILE") }
            }
            let store = TLSContext.hashedSystemStore(try OpenSSLLibrary.loaded.get())
            if bundleFileSet {
                #expect(store == nil)
            } else if let store {
                // Only looked up (not parsed up front): SSL_CERT_DIR first, then the system's directory.
                #expect(store.hasPrefix(server.directory + "/hashed:"))
            }
            let transport = SocketHTTPTransport()
            let response = try await get(transport, server.url("/length", scheme: "https", host: "localhost"))
            #expect(text(response) == "length body")
        }
    }

    @Test("subject-hash link names as `openssl rehash` makes them")
    func hashLinkNames() {
        #expect(TLSContext.isHashLink("5bf54fb4.0"))
        #expect(TLSContext.isHashLink("002c0b4f.12"))
        #expect(!TLSContext.isHashLink("ca-certificates.crt"))
        #expect(!TLSContext.isHashLink("5BF54FB4.0"))
        #expect(!TLSContext.isHashLink("5bf54fb4.r0"))
        #expect(!TLSContext.isHashLink("5bf54fb4."))
    }

    @Test("TLS: an authority the system store does not hold, or another host name, is refused")
    func tlsRefused() async throws {
        try await ScriptedHTTPServer.with(tls: true) { server in
            func isUntrusted(_ failure: TransportFailure?) -> Bool {
                guard case .cannotConnect(let detail) = failure else { return false }
                return detail.contains("not trusted")
            }
            let systemStore = SocketHTTPTransport()
            let unknownAuthority = await #expect(throws: TransportFailure.self) {
                try await get(systemStore, server.url("/length", scheme: "https", host: "localhost"))
            }
            #expect(isUntrusted(unknownAuthority), "\(String(describing: unknownAuthority))")
            // The certificate names "localhost", not 127.0.0.1.
            let configured = SocketHTTPTransport(.init(trustedCertificatesFile: server.certificateAuthorityFile))
            let otherName = await #expect(throws: TransportFailure.self) {
                try await get(configured, server.url("/length", scheme: "https", host: "127.0.0.1"))
            }
            #expect(isUntrusted(otherName), "\(String(describing: otherName))")
        }
    }

    @Test("the request head: method, target with query, Host, fields, Content-Length; no line breaks smuggled")
    func requestHead() throws {
        let url = try #require(URL(string: "https://example.pipedrive.com/api/v1/persons/search?term=a%20b&limit=2"))
        var request = HTTPRequest(method: "POST", url: url, body: Data("{}".utf8))
        request.setHeader("content-type", "application/json")
        request.setHeader("Content-Type", "application/json; charset=utf-8")
        request.setHeader("X-Test", "one\r\nInjected: yes")
        let origin = try SocketHTTPTransport.origin(of: url)
        let head = String(decoding: SocketHTTPTransport.head(of: request, origin: origin), as: UTF8.self)
        #expect(
            head
                == "POST /api/v1/persons/search?term=a%20b&limit=2 HTTP/1.1\r\nHost: example.pipedrive.com\r\n"
                + "Content-Type: application/json; charset=utf-8\r\nX-Test: oneInjected: yes\r\n"
                + "Content-Length: 2\r\n\r\n")
        #expect(origin == HTTPOrigin(secure: true, host: "example.pipedrive.com", port: 443))
        #expect(HTTPOrigin(secure: false, host: "127.0.0.1", port: 8080).hostHeader == "127.0.0.1:8080")
    }

    @Test("https through a proxy: one CONNECT tunnel, the certificate checked end to end, the tunnel reused")
    func httpsThroughProxy() async throws {
        try await ScriptedHTTPServer.with(tls: true) { server in
            try await TestProxy.with { proxy in
                let transport = SocketHTTPTransport(
                    .init(trustedCertificatesFile: server.certificateAuthorityFile, proxies: try proxy.settings()))
                let first = try await get(transport, server.url("/length", scheme: "https", host: "localhost"))
                let second = try await get(transport, server.url("/chunked", scheme: "https", host: "localhost"))
                #expect(text(first) == "length body" && text(second) == "hello, chunked world")
                #expect(second.header("X-Connection") == first.header("X-Connection"))
                #expect(proxy.requestLines == ["CONNECT localhost:\(server.port) HTTP/1.1"])
            }
        }
    }

    @Test("plain http through a proxy: the request names its whole URL")
    func httpThroughProxy() async throws {
        try await ScriptedHTTPServer.with { server in
            try await TestProxy.with { proxy in
                let transport = SocketHTTPTransport(.init(proxies: try proxy.settings()))
                let response = try await get(transport, server.url("/length"))
                #expect(text(response) == "length body")
                #expect(proxy.requestLines == ["GET http://127.0.0.1:\(server.port)/length HTTP/1.1"])
            }
        }
    }

    @Test("a proxy that wants credentials gets them from the proxy address; wrong ones fail with a hint, unechoed")
    func proxyCredentials() async throws {
        try await ScriptedHTTPServer.with(tls: true) { server in
            try await TestProxy.with(credentials: "ringlog:s3cret") { proxy in
                let good = SocketHTTPTransport(
                    .init(
                        trustedCertificatesFile: server.certificateAuthorityFile,
                        proxies: try proxy.settings(userInfo: "ringlog:s3cret@")))
                let response = try await get(good, server.url("/length", scheme: "https", host: "localhost"))
                #expect(text(response) == "length body")
                #expect(proxy.requestLines == ["CONNECT localhost:\(server.port) HTTP/1.1 auth"])

                let wrong = SocketHTTPTransport(
                    .init(
                        trustedCertificatesFile: server.certificateAuthorityFile,
                        proxies: try proxy.settings(userInfo: "ringlog:wrong-password@")))
                do {
                    _ = try await get(wrong, server.url("/length", scheme: "https", host: "localhost"))
                    Issue.record("expected the proxy to refuse the tunnel")
                } catch let failure as TransportFailure {
                    guard case .cannotConnect(let detail) = failure else {
                        Issue.record("expected cannotConnect, got \(failure)")
                        return
                    }
                    #expect(detail.contains("407") && detail.contains("user name and password"), "\(detail)")
                    #expect(!detail.contains("wrong-password") && !detail.contains("s3cret"))
                }
            }
        }
    }

    @Test("a host no_proxy lists is reached directly")
    func proxyBypass() async throws {
        try await ScriptedHTTPServer.with { server in
            try await TestProxy.with { proxy in
                var settings = try proxy.settings()
                settings.bypass = ["127.0.0.1"]
                let transport = SocketHTTPTransport(.init(proxies: settings))
                #expect(text(try await get(transport, server.url("/length"))) == "length body")
                #expect(proxy.requestLines.isEmpty)
            }
        }
    }

    @Test("form encoding escapes everything but unreserved characters, UTF-8 byte by byte")
    func formEncoding() {
        #expect(FormEncoding.escape("a-Z_0.~") == "a-Z_0.~")
        #expect(FormEncoding.escape("a b&c=d/é") == "a%20b%26c%3Dd%2F%C3%A9")
        #expect(
            FormEncoding.encode([("grant_type", "refresh_token"), ("x", "1+1")]) == "grant_type=refresh_token&x=1%2B1")
    }

    @Test("an HTTP date, as Retry-After may carry it")
    func httpDate() {
        #expect(
            PipedriveTimestamp.parseHTTPDate("Sun, 06 Nov 1994 08:49:37 GMT")
                == PipedriveTimestamp.parse("1994-11-06T08:49:37Z"))
        #expect(PipedriveTimestamp.parseHTTPDate("Sunday, 06-Nov-94 08:49:37 GMT") == nil)
        #expect(PipedriveTimestamp.parseHTTPDate("Sun, 06 Nov 1994 08:49:37 CET") == nil)
    }
}
