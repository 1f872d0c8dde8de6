#if canImport(Glibc)
    import Glibc
#endif

/// Writes to standard output and standard error without `print`'s block buffering surprises.
enum StandardStreams {
    /// Writes `text` to standard error as is.
    static func writeError(_ text: String) {
        write(text, to: STDERR_FILENO)
    }

    /// Writes `text` to standard output as is.
    static func writeOutput(_ text: String) {
        write(text, to: STDOUT_FILENO)
    }

    /// Writes all of `text` to `descriptor`, retrying short writes and interruptions; gives up on other
    /// errors (a closed pipe, a full disk), as there is nowhere left to report them.
    private static func write(_ text: String, to descriptor: Int32) {
        let bytes = Array(text.utf8)
        var offset = 0
        // Bounded: each pass writes at least one byte or ends the loop (EINTR retries are finite in practice).
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written > 0 {
                offset += written
            } else if written < 0, errno == EINTR {
                continue
            } else {
                return
            }
        }
    }
}
