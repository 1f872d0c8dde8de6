import CPcap

/// libpcap's functions, loaded with `dlopen` the first time a capture file or a live interface is opened.
///
/// ringlog does not link libpcap, so that a daemon receiving HEP only never maps it and the libraries it
/// links; `Sources/CPcap/shim.h` declares the table and the loader. The table is copied whole: after an
/// entry is added to it, an incremental build may keep Swift files compiled against the old layout (SwiftPM
/// does not track the header), so build from clean (`rm -rf .build`) before testing such a change.
enum Libpcap {
    /// The loaded functions, or what to tell the user when libpcap is missing. Loaded once per process
    /// (a global `let` is initialised once, thread-safely).
    static let loaded: Result<copcap_functions, LibpcapMissing> = {
        let table = UnsafeMutablePointer<copcap_functions>.allocate(capacity: 1)
        defer { table.deallocate() }
        var error = [CChar](repeating: 0, count: 256)
        guard copcap_load(table, &error, error.count) == 1 else {
            let reason = String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return .failure(LibpcapMissing(reason: reason))
        }
        return .success(table.pointee)
    }()
}

/// libpcap could not be loaded.
struct LibpcapMissing: Error {
    /// The loader's reason.
    var reason: String

    /// A message for the user: what failed and which package provides libpcap.
    var message: String {
        "capture needs libpcap (Debian package libpcap0.8), which cannot be loaded: \(reason)"
    }
}

extension copcap_functions {
    /// libpcap's last error on `handle`, as text.
    func errorText(_ handle: OpaquePointer) -> String {
        guard let text = pcap_geterr(handle) else { return "unknown libpcap error" }
        return String(cString: text)
    }
}
