#if canImport(Glibc)
    import Glibc
#endif

/// The executable's relocation table (`.rela.dyn`), whose pages the daemon gives back once it has started.
///
/// The dynamic loader reads the whole table once, before `main`, to relocate the executable (about 42,000
/// relative relocations, 0.96 MB in a release build), and nothing reads it again: lazily bound calls use
/// the separate `.rela.plt`, and libraries opened later are relocated from their own tables. Its pages are clean pages of the executable file: after `madvise(MADV_DONTNEED)` they leave the
/// process's resident memory, and a read (there is none) would fetch them from the file again. Packed
/// relocations (`-z pack-relative-relocs`) would shrink the table instead, but no linker that Swift uses on
/// Linux packs them and keeps RELRO (docs/benchmarks.md, "Daemon").
enum RelocationTablePages {
    /// Where the table is in this process's memory.
    struct Location: Equatable {
        /// The table's first byte in memory.
        var start: UInt
        /// Its length in bytes.
        var length: UInt
    }

    /// Drops the table's whole pages from resident memory; returns the bytes released (0 when the table
    /// was not found, e.g. in a binary built without it, or `/proc/self/exe` cannot be read).
    @discardableResult
    static func release() -> UInt {
        #if canImport(Glibc)
            guard let location = locate() else { return 0 }
            let pageSize = UInt(sysconf(Int32(_SC_PAGESIZE)))
            // Only pages that hold nothing but the table.
            let first = (location.start + pageSize - 1) / pageSize * pageSize
            let end = (location.start + location.length) / pageSize * pageSize
            guard end > first, let address = UnsafeMutableRawPointer(bitPattern: first) else { return 0 }
            guard madvise(address, Int(end - first), MADV_DONTNEED) == 0 else { return 0 }
            return end - first
        #else
            return 0
        #endif
    }

    /// Finds `.rela.dyn` from the executable file's section headers and the load address the kernel
    /// reports; `nil` unless the table lies inside a read-only segment loaded from the file.
    static func locate() -> Location? {
        #if canImport(Glibc)
            let descriptor = open("/proc/self/exe", O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { return nil }
            defer { close(descriptor) }
            let file = ELFFile(descriptor: descriptor)
            guard let header = file.read(at: 0, count: 64), header.starts(with: [0x7F, 0x45, 0x4C, 0x46]),
                header[4] == 2, header[5] == 1  // 64-bit, little-endian
            else { return nil }
            let programHeaders = ELFFile.integer(header, at: 0x20, size: 8)
            let programHeaderSize = ELFFile.integer(header, at: 0x36, size: 2)
            let programHeaderCount = ELFFile.integer(header, at: 0x38, size: 2)
            let sectionHeaders = ELFFile.integer(header, at: 0x28, size: 8)
            let sectionHeaderSize = ELFFile.integer(header, at: 0x3A, size: 2)
            let sectionCount = ELFFile.integer(header, at: 0x3C, size: 2)
            let namesIndex = ELFFile.integer(header, at: 0x3E, size: 2)
            guard programHeaderSize >= 56, sectionHeaderSize >= 64, namesIndex < sectionCount,
                programHeaderCount <= 256, sectionCount <= 4096,
                let segments = file.read(at: programHeaders, count: programHeaderSize * programHeaderCount),
                let sections = file.read(at: sectionHeaders, count: sectionHeaderSize * sectionCount)
            else { return nil }

            // The load bias: where the program headers are in memory, less their address in the file's view.
            // glibc's getauxval, looked up at run time: the Glibc module does not export <sys/auxv.h>.
            typealias GetAuxiliaryValue = @convention(c) (UInt) -> UInt
            guard let getauxval = dlsym(nil, "getauxval") else { return nil }
            let programHeadersInMemory = 3  // AT_PHDR
            let loadedHeaders = Int(
                truncatingIfNeeded: unsafeBitCast(getauxval, to: GetAuxiliaryValue.self)(UInt(programHeadersInMemory)))
            var bias: Int?
            var readOnlyRanges: [Range<Int>] = []
            for index in 0..<programHeaderCount {
                let base = index * programHeaderSize
                let type = ELFFile.integer(segments, at: base, size: 4)
                let flags = ELFFile.integer(segments, at: base + 4, size: 4)
                let address = ELFFile.integer(segments, at: base + 0x10, size: 8)
                let size = ELFFile.integer(segments, at: base + 0x20, size: 8)
                let phdrType = 6
                let loadType = 1
                let writable = 2
                if type == phdrType, loadedHeaders >= address { bias = loadedHeaders - address }
                if type == loadType, flags & writable == 0, address <= Int.max - size {
                    readOnlyRanges.append(address..<(address + size))
                }
            }
            guard let bias else { return nil }

            let namesBase = namesIndex * sectionHeaderSize
            guard
                let names = file.read(
                    at: ELFFile.integer(sections, at: namesBase + 0x18, size: 8),
                    count: min(ELFFile.integer(sections, at: namesBase + 0x20, size: 8), 1 << 20))
            else { return nil }
            let wanted = Array(".rela.dyn".utf8) + [0]
            for index in 0..<sectionCount {
                let base = index * sectionHeaderSize
                let nameOffset = ELFFile.integer(sections, at: base, size: 4)
                guard nameOffset < names.count, names[nameOffset...].starts(with: wanted) else { continue }
                let address = ELFFile.integer(sections, at: base + 0x10, size: 8)
                let size = ELFFile.integer(sections, at: base + 0x20, size: 8)
                guard size > 0, address <= Int.max - size,
                    readOnlyRanges.contains(where: { $0.contains(address) && address + size <= $0.upperBound }),
                    bias <= Int.max - address - size
                else { return nil }
                return Location(start: UInt(bias + address), length: UInt(size))
            }
            return nil
        #else
            return nil
        #endif
    }
}

/// Reads parts of an ELF file by offset.
private struct ELFFile {
    let descriptor: Int32

    /// `count` bytes at `offset`, or `nil` when the file is shorter or cannot be read.
    func read(at offset: Int, count: Int) -> [UInt8]? {
        guard count >= 0, count <= 1 << 24, offset >= 0, offset <= Int.max - count else { return nil }
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < bytes.count {
            let result = bytes.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return -1 }
                return pread(descriptor, base + done, buffer.count - done, off_t(offset + done))
            }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { return nil }
            done += result
        }
        return bytes
    }

    /// A little-endian unsigned integer of `size` bytes at `offset` (0 when it runs past the end).
    static func integer(_ bytes: [UInt8], at offset: Int, size: Int) -> Int {
        guard offset >= 0, size > 0, size <= 8, offset <= bytes.count - size else { return 0 }
        var value: UInt64 = 0
        for index in (0..<size).reversed() { value = value << 8 | UInt64(bytes[offset + index]) }
        // Offsets, sizes and addresses of a user-space executable fit; anything larger fails the checks.
        return Int(truncatingIfNeeded: min(value, UInt64(Int.max)))
    }
}
