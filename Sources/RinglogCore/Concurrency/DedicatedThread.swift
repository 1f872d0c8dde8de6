#if canImport(Glibc)
    import Glibc
#endif

/// Starts a detached POSIX thread for one blocking loop (capture, SIP), outside Swift's cooperative pool.
///
/// Foundation's `Thread` would do the same, but it lives in swift-corelibs-foundation proper, whose
/// CoreFoundation initialises itself in every process that links it (about 4 MB resident).
public enum DedicatedThread {
    /// Runs `body` on a new detached thread named `name` (Linux keeps the first 15 bytes of a name).
    /// Stops the process when the system cannot create a thread (no memory or thread limit reached).
    public static func start(name: String, _ body: @escaping @Sendable () -> Void) {
        let start = Unmanaged.passRetained(ThreadStart(name: name, body: body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, dedicatedThreadEntry, start)
        guard result == 0 else {
            Unmanaged<ThreadStart>.fromOpaque(start).release()
            fatalError("cannot start the thread \(name): \(String(cString: strerror(result)))")
        }
        pthread_detach(thread)
    }
}

/// What a new thread runs, handed over through `pthread_create`'s argument.
private final class ThreadStart: Sendable {
    let name: String
    let body: @Sendable () -> Void

    init(name: String, body: @escaping @Sendable () -> Void) {
        self.name = name
        self.body = body
    }
}

// glibc declares pthread_setname_np only with _GNU_SOURCE, which the Glibc module is not built with.
@_silgen_name("pthread_setname_np")
private func setThreadName(_ thread: pthread_t, _ name: UnsafePointer<CChar>) -> Int32

/// The thread's entry point: names the thread, then runs the body.
private func dedicatedThreadEntry(_ raw: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let raw else { return nil }
    let start = Unmanaged<ThreadStart>.fromOpaque(raw).takeRetainedValue()
    let name = Array(start.name.utf8CString.prefix(15)) + [0]
    _ = name.withUnsafeBufferPointer { buffer in buffer.baseAddress.map { setThreadName(pthread_self(), $0) } }
    start.body()
    return nil
}
