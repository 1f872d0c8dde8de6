import COpenSSL

#if canImport(Glibc)
    import Glibc
#endif

/// The process's OpenSSL client context: TLS 1.2 or newer, the peer's certificate always verified.
///
/// Created on the first `https` request only, so that a daemon talking plain HTTP (the simulator) never
/// loads OpenSSL: libssl and libcrypto are loaded with `dlopen` here (``OpenSSLLibrary``). Trust comes from
/// the system store (the hashed directory `/etc/ssl/certs`, see ``hashedSystemStore(_:)``, or
/// OpenSSL's `SSL_CERT_FILE`/`SSL_CERT_DIR` environment variables), or from one PEM file when configured.
final class TLSContext: @unchecked Sendable {
    // Invariant: `context` is set up once in `init` and only read afterwards; OpenSSL allows one SSL_CTX to
    // create SSL objects on several threads at once.
    let context: OpaquePointer
    /// OpenSSL's functions.
    let openSSL: copenssl_functions

    /// Creates the context.
    /// - Parameter trustedCertificatesFile: a PEM file of certificate authorities to trust instead of the
    ///   system store (nil: the system store).
    /// - Throws: ``TransportFailure/other(_:)`` when OpenSSL cannot be loaded or set up or the file cannot be read.
    init(trustedCertificatesFile: String?) throws {
        let openSSL = try OpenSSLLibrary.loaded.get()
        // OpenSSL writes to sockets with write(2): a peer that closed would otherwise kill the process.
        signal(SIGPIPE, SIG_IGN)
        _ = withUnsafePointer(to: openSSL) { copenssl_initialise($0) }
        guard let context = openSSL.SSL_CTX_new(openSSL.TLS_client_method()) else {
            throw TransportFailure.other("cannot set up TLS: \(Self.lastError(openSSL))")
        }
        guard withUnsafePointer(to: openSSL, { copenssl_set_minimum_tls12($0, context) }) == 1 else {
            openSSL.SSL_CTX_free(context)
            throw TransportFailure.other("cannot require TLS 1.2: \(Self.lastError(openSSL))")
        }
        openSSL.SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        // A kept-alive connection frees its 16 KB read and write buffers while it waits for the next request.
        _ = withUnsafePointer(to: openSSL) { copenssl_release_idle_buffers($0, context) }
        let loaded =
            if let trustedCertificatesFile {
                openSSL.SSL_CTX_load_verify_locations(context, trustedCertificatesFile, nil)
            } else if let directories = Self.hashedSystemStore(openSSL) {
                withUnsafePointer(to: openSSL) { copenssl_use_hashed_directories($0, context, directories) }
            } else {
                openSSL.SSL_CTX_set_default_verify_paths(context)
            }
        guard loaded == 1 else {
            openSSL.SSL_CTX_free(context)
            let source = trustedCertificatesFile ?? "the system certificate store"
            throw TransportFailure.other(
                "cannot load trusted certificates from \(source): \(Self.lastError(openSSL))")
        }
        self.context = context
        self.openSSL = openSSL
    }

    deinit { openSSL.SSL_CTX_free(context) }

    /// The system store as hashed directories only, or nil to use OpenSSL's default paths.
    ///
    /// OpenSSL's default (`SSL_CTX_set_default_verify_paths`) parses the whole bundle file (about 140
    /// authorities) at setup and keeps it: 0.8 MB resident in the daemon for the life of the process. On Debian
    /// the default directory (/usr/lib/ssl/certs → /etc/ssl/certs) holds the same authorities as `HASH.0` links,
    /// which `update-ca-certificates` keeps complete; looked up there, OpenSSL reads only the one or two a chain
    /// needs, while verifying it. Returned: `SSL_CERT_DIR`'s directories when set, then the default directory
    /// (the default paths trusted `SSL_CERT_DIR` and the bundle, so the same authorities are trusted). Nil when
    /// `SSL_CERT_FILE` is set (a bundle chosen through the environment is honoured as before) or when the
    /// default directory holds no hash links.
    static func hashedSystemStore(_ openSSL: copenssl_functions) -> String? {
        guard let fileVariable = openSSL.X509_get_default_cert_file_env(), getenv(fileVariable) == nil,
            let defaultDirectory = openSSL.X509_get_default_cert_dir().map({ String(cString: $0) }),
            holdsHashLinks(defaultDirectory)
        else { return nil }
        let fromEnvironment = openSSL.X509_get_default_cert_dir_env().flatMap { getenv($0) }.map { String(cString: $0) }
        return fromEnvironment.map { $0 + ":" + defaultDirectory } ?? defaultDirectory
    }

    /// Whether `directory` holds at least one subject-hash link.
    private static func holdsHashLinks(_ directory: String) -> Bool {
        guard let stream = opendir(directory) else { return false }
        defer { closedir(stream) }
        // Bounded by the directory's entries.
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if isHashLink(name) { return true }
        }
        return false
    }

    /// Whether `name` is a subject-hash name as `openssl rehash` makes them: eight hex digits, ".", a digit.
    static func isHashLink(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard bytes.count >= 10, bytes[8] == UInt8(ascii: "."), bytes[9...].allSatisfy({ (0x30...0x39).contains($0) })
        else { return false }
        return bytes[..<8].allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// OpenSSL's most recent error as text (and the thread's error queue emptied), or "unknown error".
    static func lastError(_ openSSL: copenssl_functions) -> String {
        var last: UInt = 0
        // Bounded: OpenSSL's per-thread error queue holds at most 16 entries.
        for _ in 0..<32 {
            let code = openSSL.ERR_get_error()
            if code == 0 { break }
            last = code
        }
        guard last != 0 else { return "unknown error" }
        var buffer = [CChar](repeating: 0, count: 256)
        openSSL.ERR_error_string_n(last, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// OpenSSL's functions, loaded with `dlopen` when the first TLS context is created.
///
/// ringlog does not link OpenSSL, so that a process that never makes an `https` request never maps libssl
/// and libcrypto; `Sources/COpenSSL/shim.h` declares the table and the loader.
enum OpenSSLLibrary {
    /// The loaded functions, or why OpenSSL could not be loaded. Loaded once per process (a global `let` is
    /// initialised once, thread-safely).
    static let loaded: Result<copenssl_functions, TransportFailure> = {
        let table = UnsafeMutablePointer<copenssl_functions>.allocate(capacity: 1)
        defer { table.deallocate() }
        var error = [CChar](repeating: 0, count: 256)
        guard copenssl_load(table, &error, error.count) == 1 else {
            let reason = String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return .failure(
                .other("https needs OpenSSL 3 (Debian package libssl3), which cannot be loaded: \(reason)"))
        }
        return .success(table.pointee)
    }()
}
