import Foundation
import RinglogCore
import Testing

@testable import RinglogCapture

/// Damaged capture files must end in a ``CaptureFileError`` or a clean end, never a crash or a hang.
@Suite struct CaptureFileRobustnessTests {
    static let files = CaptureFileReaderTests.expectations.map(\.file)

    /// Reads `bytes` as a capture file; returns how many SIP messages came out before the end or an error.
    static func replay(_ bytes: [UInt8], name: String) throws -> Int {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("ringlog-capture-\(getpid())-\(UUID().uuidString)-\(name)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var count = 0
        do {
            var reader = try CaptureFileReader(path: path)
            while try reader.next() != nil {
                count += 1
                if count > 100_000 { break }
            }
        } catch {
            #expect(!error.description.isEmpty)
        }
        return count
    }

    @Test(arguments: files)
    func truncatedFilesEndCleanlyOrWithAnError(_ file: String) throws {
        let original = Array(try Data(contentsOf: URL(fileURLWithPath: TestFixtures.capturePath(file))))
        let full = try Self.replay(original, name: file)
        var random = SplitMix64(seed: UInt64(original.count))
        var cuts = [0, 1, 23, 24, 25, 40, original.count - 1]
        for _ in 0..<8 { cuts.append(Int(random.next() % UInt64(original.count))) }
        for cut in cuts where cut >= 0 && cut < original.count {
            let count = try Self.replay(Array(original.prefix(cut)), name: file)
            #expect(count <= full + 1, "cut at \(cut)")
        }
    }

    @Test(arguments: files)
    func garbledFilesEndCleanlyOrWithAnError(_ file: String) throws {
        let original = Array(try Data(contentsOf: URL(fileURLWithPath: TestFixtures.capturePath(file))))
        var random = SplitMix64(seed: UInt64(original.count) &* 31)
        for round in 0..<8 {
            var garbled = original
            // Early rounds flip a few bytes anywhere; later ones many, but past the file header.
            let flips = round < 4 ? 1 + round : 64 * round
            let start = round < 4 ? 0 : Swift.min(64, garbled.count - 1)
            for _ in 0..<flips {
                let index = start + Int(random.next() % UInt64(garbled.count - start))
                garbled[index] ^= UInt8(truncatingIfNeeded: random.next() | 1)
            }
            _ = try Self.replay(garbled, name: file)
        }
    }

    @Test func aFileThatIsNotACaptureIsAnError() throws {
        let path = TestFixtures.packageRoot.appendingPathComponent("Package.swift").path
        #expect(throws: CaptureFileError.self) { try CaptureFileReader(path: path) }
        #expect(throws: CaptureFileError.self) { try CaptureFileReader(path: "/nonexistent/ringlog.pcap") }
    }

    /// Random frames straight into the dissector, for every link type, including mutations of real SIP frames.
    @Test func randomFramesNeverCrashTheDissector() {
        var random = SplitMix64(seed: 42)
        let sip = Array("SIP/2.0 200 OK\r\nContent-Length: 4\r\n\r\nbody".utf8)
        let seedFrame = PacketBuilder.ethernet(PacketBuilder.ipv4UDP(sip, sourcePort: 5060, destinationPort: 5060))
        for linkType in [LinkType.ethernet, .null, .loop, .rawIP, .ipv4, .ipv6, .linuxCooked, .linuxCookedV2] {
            var dissector = PacketDissector(
                linkType: linkType, hepDecoder: HEPDecoder(), limits: CaptureLimits(maximumTCPFlows: 16))
            for index in 0..<3000 {
                var frame: [UInt8]
                if index % 2 == 0 {
                    frame = (0..<Int(random.next() % 200)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                } else {
                    frame = seedFrame
                    for _ in 0..<(1 + Int(random.next() % 6)) {
                        frame[Int(random.next() % UInt64(frame.count))] = UInt8(truncatingIfNeeded: random.next())
                    }
                }
                let time = CaptureTime(seconds: 1_700_000_000 + Int64(index), microseconds: 0)
                for packet in dissector.dissect(frame: frame[...], at: time) {
                    #expect(SIPStartLine.isSIPMessage(packet.payload[...]))
                }
            }
        }
    }
}
