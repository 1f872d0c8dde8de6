import Foundation
import RinglogCapture
import RinglogCore

#if canImport(Glibc)
    import Glibc
#endif

/// `ringlog replay`: capture files in, one JSON call record per line out.
enum ReplayCommand: RinglogCommand {
    static let name = "replay"
    static let summary = "turn captured SIP (pcap, pcapng, raw HEP) into call records (JSON Lines)"
    static let usage = """
        Usage: ringlog replay [--config FILE] FILE...

        Reads SIP captures and writes one JSON object per call on standard output (JSON Lines), in the
        order the calls ended. Each FILE is a pcap or pcapng capture, or a file of raw HEP v3 datagrams
        stored back to back (recognised by its HEP3 magic). Several files are read as one stream.

        Each record has call_id, direction (inbound|outbound|internal|unknown), from, to, extension,
        started_at, answered_at, ended_at (ISO 8601 UTC, milliseconds), ring_seconds, talk_seconds,
        outcome (answered|missed|busy|declined|failed|answered_elsewhere) and complete. See
        docs/replay.md.

        Options:
          --config FILE   JSON site description, for example
                          {"site": {"pbx_addresses": ["10.0.0.5:5060"],
                                    "trunk_addresses": ["192.0.2.10:5060"],
                                    "extension_pattern": "1\\\\d{3}"},
                           "region": "FI"}
                          Without it every dialog is its own record and the direction is unknown.
          -h, --help      show this help
        """

    static func run(_ arguments: [String]) async throws -> ExitCode {
        let scanner = try ArgumentScanner(arguments, valueOptions: ["config"])
        if scanner.wantsHelp {
            StandardStreams.writeOutput(usage + "\n")
            return .success
        }
        guard !scanner.positionals.isEmpty else {
            throw UsageError("replay needs at least one capture file (pcap, pcapng or raw HEP)")
        }
        var configuration = CallTrackerConfiguration()
        if let path = scanner.values["config"] { configuration = try loadConfiguration(path) }

        var replay = CallReplay(configuration: configuration)
        var output = ""
        output.reserveCapacity(1 << 16)
        func emit(_ records: [CallRecord]) {
            for record in records {
                output += record.jsonLine
                output += "\n"
            }
            if output.utf8.count >= 1 << 16 {
                StandardStreams.writeOutput(output)
                output.removeAll(keepingCapacity: true)
            }
        }
        // Files may be given in any order and may overlap in time: merge them by capture time.
        var sources = try scanner.positionals.map { try PacketSource(path: $0) }
        var pending = try sources.indices.map { try sources[$0].next() }
        while let index = earliest(pending), let packet = pending[index] {
            emit(replay.add(packet))
            pending[index] = try sources[index].next()
        }
        emit(replay.finish())
        StandardStreams.writeOutput(output)
        return .success
    }

    private static func loadConfiguration(_ path: String) throws -> CallTrackerConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReplayFailure("cannot read the configuration file \(path); check the path", exitCode: .noInput)
        }
        let settings: ReplaySettings
        do {
            settings = try JSONDecoder().decode(ReplaySettings.self, from: data)
        } catch {
            throw ReplayFailure(
                "\(path) is not a valid replay configuration (\(error)); see ringlog replay --help",
                exitCode: .configuration)
        }
        do {
            return try settings.trackerConfiguration()
        } catch {
            throw ReplayFailure("\(path): \(error.description)", exitCode: .configuration)
        }
    }

    /// The index of the earliest waiting packet (the first file wins a tie), or `nil` when all are done.
    private static func earliest(_ pending: [CapturedPacket?]) -> Int? {
        var best: (index: Int, time: CaptureTime)?
        for (index, packet) in pending.enumerated() {
            guard let packet else { continue }
            if best.map({ packet.timestamp < $0.time }) ?? true { best = (index, packet.timestamp) }
        }
        return best?.index
    }
}

/// The packets of one capture file, in file order: raw HEP datagrams or a pcap/pcapng capture.
private struct PacketSource {
    private enum Kind {
        case hep(HEPPacketSequence.Iterator, byteCount: Int)
        case capture(CaptureFileReader)
    }

    private let path: String
    private var kind: Kind
    /// Compressed payloads (HEP chunk 0x10, or a zlib stream in the payload chunk) are inflated with zlib.
    private let decoder = HEPDecoder(inflate: ZlibInflater().closure)

    init(path: String) throws {
        self.path = path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw ReplayFailure("cannot open \(path); check the path and permissions", exitCode: .noInput)
        }
        var bytes = [UInt8](repeating: 0, count: 4)
        let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        let head = Data(bytes.prefix(max(0, count)))
        if HEPPacketSequence.startsWithHEP3(head) {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ReplayFailure("cannot read \(path)", exitCode: .ioError)
            }
            kind = .hep(HEPPacketSequence(Array(data)).makeIterator(), byteCount: data.count)
        } else {
            do {
                kind = .capture(try CaptureFileReader(path: path))
            } catch {
                throw ReplayFailure(error.description, exitCode: .dataError)
            }
        }
    }

    /// The next packet, or `nil` at the end of the file. HEP datagrams that do not decode are skipped.
    mutating func next() throws -> CapturedPacket? {
        switch kind {
        case .hep(var iterator, let byteCount):
            defer { kind = .hep(iterator, byteCount: byteCount) }
            while let datagram = iterator.next() {
                if let packet = try? decoder.decode(datagram) { return packet }
            }
            if iterator.offset < byteCount {
                StandardStreams.writeError(
                    "ringlog replay: \(path): stopped at byte \(iterator.offset): not a complete HEP3 packet\n")
                iterator = HEPPacketSequence([]).makeIterator()
            }
            return nil
        case .capture(var reader):
            defer { kind = .capture(reader) }
            do {
                return try reader.next()
            } catch {
                throw ReplayFailure(error.description, exitCode: .dataError)
            }
        }
    }
}

/// A replay that cannot go on: unreadable file, bad configuration, broken capture.
struct ReplayFailure: CommandFailure {
    let message: String
    let exitCode: ExitCode

    init(_ message: String, exitCode: ExitCode) {
        self.message = message
        self.exitCode = exitCode
    }
}
