#if canImport(Glibc)
    import Glibc
#endif

/// Gives heap pages that malloc holds but no longer uses back to the kernel.
///
/// glibc returns freed memory to the kernel only from the top of the main heap and only past a threshold, so
/// the parsing and decoding of a start-up or of a directory synchronisation would stay resident while the
/// daemon sits idle. `malloc_trim` releases every free page of every arena; it takes about a millisecond.
enum FreedHeap {
    /// Calls glibc's `malloc_trim(0)` (looked up at run time: the Glibc module does not export it).
    static func release() {
        #if canImport(Glibc)
            typealias MallocTrim = @convention(c) (Int) -> Int32
            // RTLD_DEFAULT is the null handle on glibc: search the process's global symbols.
            guard let symbol = dlsym(nil, "malloc_trim") else { return }
            _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
        #endif
    }
}
