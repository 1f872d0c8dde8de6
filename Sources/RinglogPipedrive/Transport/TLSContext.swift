import COpenSSL

#if canImport(Glibc)
    import Glibc
#endif

/// The process's OpenSSL client context: TLS 1.2 or newer, the peer's certificate always verified.
///
/// Created on the first `https` request only, so that a daemon talking plain HTTP (the simulator) never
/// loads OpenSSL's tables. Trust comes from the system store (`/etc/ssl/certs`, or OpenSSL's
/// `SSL_CERT_FILE`/`SSL_CERT_DIR` environment variables), or from one PEM file when configured.
final class TLSContext: @unchecked Sendable {
    // Invariant: `context` is set up once in `init` and only read afterwards; OpenSSL allows one SSL_CTX to
    // create SSL objects on several threads at once.
    let context: OpaquePointer

    /// Creates the context.
    /// - Parameter trustedCertificatesFile: a PEM file of certificate authorities to trust instead of the
    ///   system store (nil: the system store).
    /// - Throws: ``TransportFailure/other(_:)`` when OpenSSL cannot be set up or the file cannot be read.
    init(trustedCertificatesFile: String?) throws {
        // OpenSSL writes to sockets with write(2): a peer that closed would otherwise kill the process.
        signal(SIGPIPE, SIG_IGN)
        _ = copenssl_initialise()
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw TransportFailure.other("cannot set up TLS: \(Self.lastError())")
        }
        guard copenssl_set_minimum_tls12(context) == 1 else {
            SSL_CTX_free(context)
            throw TransportFailure.other("cannot require TLS 1.2: \(Self.lastError())")
        }
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        let loaded =
            if let trustedCertificatesFile {
                SSL_CTX_load_verify_locations(context, trustedCertificatesFile, nil)
            } else {
                SSL_CTX_set_default_verify_paths(context)
            }
        guard loaded == 1 else {
            SSL_CTX_free(context)
            let source = trustedCertificatesFile ?? "the system certificate store"
            throw TransportFailure.other("cannot load trusted certificates from \(source): \(Self.lastError())")
        }
        self.context = context
    }

    deinit { SSL_CTX_free(context) }

    /// OpenSSL's most recent error as text (and the thread's error queue emptied), or "unknown error".
    static func lastError() -> String {
        var last: UInt = 0
        // Bounded: OpenSSL's per-thread error queue holds at most 16 entries.
        for _ in 0..<32 {
            let code = ERR_get_error()
            if code == 0 { break }
            last = code
        }
        guard last != 0 else { return "unknown error" }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(last, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
