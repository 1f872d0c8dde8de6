import Glibc
import Testing

@testable import RinglogAgent

@Suite("The relocation table's pages given back after start")
struct RelocationTablePagesTests {
    /// The permissions column of the `/proc/self/maps` line that holds `address`.
    private func permissions(of address: UInt) throws -> String {
        let maps = try #require(readWholeFile("/proc/self/maps"))
        for line in maps.split(separator: "\n") {
            let fields = line.split(separator: " ")
            let bounds = fields[0].split(separator: "-")
            guard fields.count > 1, bounds.count == 2, let low = UInt(bounds[0], radix: 16),
                let high = UInt(bounds[1], radix: 16), (low..<high).contains(address)
            else { continue }
            return String(fields[1])
        }
        Issue.record("no mapping holds \(address)")
        return ""
    }

    private func readWholeFile(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        for _ in 0..<1_000 {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            bytes += chunk[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test("the table is found in a read-only mapping of the executable")
    func locatesTheTable() throws {
        let location = try #require(RelocationTablePages.locate())
        #expect(location.length > 0)
        #expect(location.length % 24 == 0)  // whole Elf64_Rela entries
        let start = try permissions(of: location.start)
        let end = try permissions(of: location.start + location.length - 1)
        #expect(start.hasPrefix("r") && !start.contains("w"))
        #expect(end.hasPrefix("r") && !end.contains("w"))
    }

    @Test("after the pages are dropped, reading them gives the same bytes again")
    func droppedPagesReadTheSame() throws {
        let location = try #require(RelocationTablePages.locate())
        let pointer = try #require(UnsafeRawPointer(bitPattern: location.start))
        let count = Int(min(location.length, 1 << 16))
        let before = Array(UnsafeRawBufferPointer(start: pointer, count: count))
        let released = RelocationTablePages.release()
        // The test binary's table spans whole pages (a test executable has thousands of relocations).
        #expect(released > 0)
        #expect(released <= location.length)
        let after = Array(UnsafeRawBufferPointer(start: pointer, count: count))
        #expect(before == after)
    }
}
