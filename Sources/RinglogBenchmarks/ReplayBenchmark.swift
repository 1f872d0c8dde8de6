import Foundation
import RinglogCapture
import RinglogCore

/// `ringlog-bench replay`: SIP messages per second through the replay path, `CaptureFileReader` (libpcap,
/// Ethernet/IP/UDP dissection) + `CallReplay` (SIP decoder, reorder buffer, call tracker), on one thread.
///
/// The capture is made with `scripts/make-sip-capture --calls N` into `.build/bench/` when it is missing.
/// Peak memory is the process's high-water mark of resident memory (`VmHWM` in /proc/self/status).
enum ReplayBenchmark: Benchmark {
    static let name = "replay"
    static let summary = "replay throughput: SIP messages and calls per second, peak resident memory"
    static let usage = "replay [--calls N] [FILE.pcap]  (default .build/bench/calls-N.pcap, N = 100000)"

    static func run(_ arguments: [String]) throws {
        var calls = 100_000
        var path: String?
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            switch argument {
            case "-h", "--help":
                print("usage: ringlog-bench \(usage)")
                return
            case "--calls":
                guard let text = remaining.popFirst(), let value = Int(text), value > 0 else {
                    throw BenchmarkFailure(description: "--calls needs a positive whole number")
                }
                calls = value
            default:
                path = argument
            }
        }
        let file = path ?? ".build/bench/calls-\(calls).pcap"
        if !FileManager.default.fileExists(atPath: file) { try makeCapture(calls: calls, path: file) }

        // The synthetic capture's site: the carrier calls the PBX's extensions 1000-1999.
        let configuration = try ReplaySettings(
            site: ReplaySettings.Site(
                pbxAddresses: ["192.0.2.10:5060"], trunkAddresses: ["198.51.100.20:5060"],
                extensionPattern: #"1\d{3}"#),
            region: "FI"
        ).trackerConfiguration()

        let wallStart = monotonicSeconds()
        let cpuStart = threadCPUSeconds()
        var reader: CaptureFileReader
        do {
            reader = try CaptureFileReader(path: file)
        } catch {
            throw BenchmarkFailure(description: error.description)
        }
        var replay = CallReplay(configuration: configuration)
        var answered = 0
        do {
            while let packet = try reader.next() {
                for record in replay.add(packet) where record.outcome == .answered { answered += 1 }
            }
        } catch {
            throw BenchmarkFailure(description: error.description)
        }
        for record in replay.finish() where record.outcome == .answered { answered += 1 }
        let records = replay.statistics.records
        let cpu = threadCPUSeconds() - cpuStart
        let wall = monotonicSeconds() - wallStart
        let messages = replay.statistics.packets
        let fileBytes = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0

        print("file=\(file)")
        print("file_bytes=\(fileBytes)")
        print("messages=\(messages)")
        print("records=\(records)")
        print("answered=\(answered)")
        print("cpu_seconds=\(String(format: "%.3f", cpu))")
        print("wall_seconds=\(String(format: "%.3f", wall))")
        print("messages_per_cpu_second=\(Int((Double(messages) / cpu).rounded()))")
        print("messages_per_wall_second=\(Int((Double(messages) / wall).rounded()))")
        print("calls_per_cpu_second=\(Int((Double(records) / cpu).rounded()))")
        print("peak_rss_kib=\(peakResidentKiB() ?? -1)")
    }

    /// Writes the benchmark capture with `scripts/make-sip-capture` (run from the package root).
    private static func makeCapture(calls: Int, path: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "scripts/make-sip-capture")
        process.arguments = ["--calls", String(calls), "--out", path]
        do {
            try process.run()
        } catch {
            throw BenchmarkFailure(
                description: "cannot run scripts/make-sip-capture (\(error)); run from the package root")
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchmarkFailure(
                description: "scripts/make-sip-capture failed with status \(process.terminationStatus)")
        }
    }

    /// The process's peak resident memory in KiB (`VmHWM`), or `nil` when /proc is not there.
    private static func peakResidentKiB() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.dropFirst(6).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
        }
        return nil
    }
}
