import RinglogCapture
import RinglogCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Fuzzes the capture file reader: one input is one pcap or pcapng file.
///
/// Reads every packet the file yields (Ethernet, SLL, raw IP, IP fragments, TCP streams, SCTP, WebSocket, HEP
/// inside UDP) and decodes each SIP payload, as `ringlog replay` does. libpcap reads capture files by path, so
/// the input goes through a scratch file of this process's own, unlinked at once and read through /proc.
public enum CaptureFileFuzzing {
    /// The scratch file: its path and descriptor, created on first use and reused (one per process, so that
    /// parallel fuzzing jobs do not share it).
    private static let scratch = Locked<(path: String, descriptor: CInt)?>(nil)

    /// Runs one input.
    public static func run(_ input: UnsafeBufferPointer<UInt8>) throws(FuzzInvariantViolation) {
        let path = try scratch.withLock { scratch throws(FuzzInvariantViolation) -> String in
            if scratch == nil {
                let name = "/tmp/ringlog-fuzz-capture-\(getpid()).pcap"
                let descriptor = open(name, O_RDWR | O_CREAT | O_TRUNC, 0o600)
                try require(descriptor >= 0, "cannot create \(name)")
                // Unlinked at once and read back through /proc: no file is left behind, whatever way the
                // fuzzing process ends.
                unlink(name)
                scratch = ("/proc/self/fd/\(descriptor)", descriptor)
            }
            guard let (path, descriptor) = scratch else { return "" }
            let written = input.isEmpty ? 0 : pwrite(descriptor, input.baseAddress, input.count, 0)
            try require(
                ftruncate(descriptor, off_t(input.count)) == 0 && written == input.count, "cannot write \(path)")
            return path
        }
        guard var reader = try? CaptureFileReader(path: path, authKey: nil) else { return }
        while let packet = try? reader.next() {
            _ = try? SIPMessage(decoding: packet.payload)
        }
    }
}
