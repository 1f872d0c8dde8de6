import Foundation
import RinglogCapture
import RinglogCore

/// Reads capture files (pcap, pcapng, or raw HEP v3 datagrams back to back) for `ringlog run --replay`:
/// every packet of every file, merged by capture time.
public enum CaptureFilePackets {
    /// Why a capture file cannot be read.
    public struct Failure: Error, CommandFailure, CustomStringConvertible {
        /// What went wrong and what to do.
        public var message: String
        /// The exit code.
        public var exitCode: ExitCode { .noInput }
        /// Same as ``message``.
        public var description: String { message }
    }

    /// Every packet of `paths`, ordered by capture time (a stable merge: equal times keep file order).
    public static func read(_ paths: [String]) throws(Failure) -> [CapturedPacket] {
        var packets: [CapturedPacket] = []
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw Failure(message: "cannot read the capture \(path); check the path and permissions")
            }
            if HEPPacketSequence.startsWithHEP3(data.prefix(4)) {
                let decoder = HEPDecoder()
                for datagram in HEPPacketSequence(Array(data)) {
                    if let packet = try? decoder.decode(datagram) { packets.append(packet) }
                }
            } else {
                do {
                    var reader = try CaptureFileReader(path: path)
                    while let packet = try reader.next() { packets.append(packet) }
                } catch {
                    throw Failure(message: "\(path): \(error.description)")
                }
            }
        }
        return packets.enumerated().sorted {
            ($0.element.timestamp, $0.offset) < ($1.element.timestamp, $1.offset)
        }.map(\.element)
    }
}
