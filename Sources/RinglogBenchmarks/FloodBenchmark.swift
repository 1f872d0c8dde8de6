import Foundation
import RinglogCore

/// `ringlog-bench flood`: an INVITE flood whose calls never end, through the SIP decoder and the call tracker,
/// interleaved with garbage datagrams; reports the peak resident memory (VmHWM) and the open-dialog count.
///
/// Each INVITE has its own Call-ID, a 200-byte display name and a 1 KiB SDP body, as an attacker's would, and
/// arrives 10 µs after the previous one, so that only the tracker's open-dialog cap (`--cap`, the
/// configuration's `tracker.max_open_calls`) bounds the state, not its timeouts.
enum FloodBenchmark: Benchmark {
    static let name = "flood"
    static let summary = "peak memory while 1M never-ending INVITEs and garbage go through decoder and tracker"
    static let usage = "flood [--invites N] [--cap N]  (defaults 1000000 and 50000, the tracker's default cap)"

    static func run(_ arguments: [String]) throws {
        var invites = 1_000_000
        var cap = CallTrackerConfiguration().maximumOpenDialogs
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            switch argument {
            case "-h", "--help":
                print("usage: ringlog-bench \(usage)")
                return
            case "--invites", "--cap":
                guard let text = remaining.popFirst(), let value = Int(text), value > 0 else {
                    throw BenchmarkFailure(description: "\(argument) needs a positive whole number")
                }
                if argument == "--invites" { invites = value } else { cap = value }
            default:
                throw BenchmarkFailure(description: "unknown argument '\(argument)'; see --help")
            }
        }
        let baseline = peakResidentKiB()
        var tracker = CallTracker(configuration: CallTrackerConfiguration(maximumOpenDialogs: cap))
        let source = TransportEndpoint(address: "198.51.100.7", port: 5060)
        let destination = TransportEndpoint(address: "127.0.0.1", port: 5060)
        let sdp = "v=0\r\n" + String(repeating: "a=x-padding:0123456789abcdef0123456789abcdef\r\n", count: 22)
        let garbage = (0..<1400).map { UInt8(truncatingIfNeeded: $0 &* 7919) }
        var evicted = 0
        var malformed = 0
        var maximumOpen = 0
        let start = monotonicSeconds()
        for index in 0..<invites {
            let text =
                "INVITE sip:100@pbx SIP/2.0\r\nVia: SIP/2.0/UDP 198.51.100.7;branch=z9hG4bK\(index)\r\n"
                + "From: \"\(String(repeating: "A", count: 200))\" <sip:+35840\(index)@evil>;tag=f\(index)\r\n"
                + "To: <sip:100@pbx>\r\nCall-ID: flood-\(index)@evil\r\nCSeq: 1 INVITE\r\n"
                + "Content-Type: application/sdp\r\nContent-Length: \(sdp.utf8.count)\r\n\r\n\(sdp)"
            let time = CaptureTime(microsecondsSinceEpoch: 1_700_000_000_000_000 + Int64(index) * 10)
            if let message = try? SIPMessage(decoding: Array(text.utf8)) {
                let packet = CapturedPacket(
                    timestamp: time, source: source, destination: destination, transport: .udp, payload: [])
                evicted += tracker.process(message, packet: packet).count
            }
            if index % 10 == 0, (try? SIPMessage(decoding: garbage)) == nil { malformed += 1 }
            maximumOpen = max(maximumOpen, tracker.openDialogCount)
        }
        let seconds = monotonicSeconds() - start
        print(
            """
            INVITEs                 \(invites) (never answered, never ended) and \(malformed) garbage datagrams
            open-dialog cap         \(cap)
            most dialogs open       \(maximumOpen)
            evicted as incomplete   \(evicted)
            peak resident memory    \(peakResidentKiB() / 1024) MiB (\(baseline / 1024) MiB before the flood)
            time                    \(String(format: "%.1f", seconds)) s (\(Int(Double(invites) / seconds)) INVITEs/s)
            """)
        if maximumOpen > cap {
            throw BenchmarkFailure(description: "\(maximumOpen) dialogs were open at once, above the cap of \(cap)")
        }
    }

    /// The process's peak resident set size (VmHWM in /proc/self/status), in KiB; 0 when it cannot be read.
    static func peakResidentKiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
        }
        return 0
    }
}
