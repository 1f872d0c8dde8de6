import CRe

/// libre strings are `struct pl`: a pointer and a length, not NUL-terminated.
extension pl {
    /// The bytes as a string (invalid UTF-8 repaired), or `nil` when unset or empty.
    var text: String? {
        guard let start = p, l > 0 else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: start, count: l), as: UTF8.self)
    }
}
