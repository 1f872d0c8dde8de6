import Foundation
import RinglogCore
import Testing

/// `ringlog run` lets a settled call out at once (no closing grace) and holds packets only 20 ms for
/// reordering; `ringlog replay` waits the whole grace and 2 s. Both must give the same calls.
@Suite("Settled calls closed at once give the same records")
struct SettledClosingEquivalenceTests {
    static let labSite = try? SiteDescription(
        pbxAddresses: ["127.0.0.1:15060"], trunkAddresses: ["127.0.0.1:15090", "127.0.0.1:15091"],
        extensionPattern: #"1\d{3}"#)

    static let captures: [String] = {
        let root = TestFixtures.packageRoot.appendingPathComponent("Tests/Fixtures")
        var paths: [String] = []
        for folder in ["lab", "sip-captures"] {
            let directory = root.appendingPathComponent(folder)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            for name in names.sorted() where name.hasSuffix(".pcap") || name.hasSuffix(".pcapng") {
                paths.append(directory.appendingPathComponent(name).path)
            }
        }
        return paths
    }()

    private static func lines(
        _ packets: [CapturedPacket], site: SiteDescription?, settledGrace: Double?, reorderWindow: Double
    ) -> [String] {
        let configuration = CallTrackerConfiguration(site: site, settledClosingGraceSeconds: settledGrace)
        var replay = CallReplay(configuration: configuration, reorderWindowSeconds: reorderWindow)
        var records: [CallRecord] = []
        for packet in packets { records += replay.add(packet) }
        records += replay.finish()
        return records.map(\.jsonLine).sorted()
    }

    @Test("the fixtures are found")
    func fixturesFound() {
        #expect(Self.captures.count >= 25)
        #expect(Self.labSite != nil)
    }

    @Test("every lab recording and public capture, with and without the lab's site", arguments: captures)
    func sameRecords(path: String) throws {
        let packets = try CaptureFileReaderTests.readAll(path)
        for site in [nil, Self.labSite] {
            let replayed = Self.lines(packets, site: site, settledGrace: nil, reorderWindow: 2)
            let live = Self.lines(packets, site: site, settledGrace: 0, reorderWindow: 0.02)
            #expect(live == replayed, "\(path) with site \(site == nil ? "none" : "lab")")
        }
    }
}
