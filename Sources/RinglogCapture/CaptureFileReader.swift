import CPcap
import RinglogCore

/// Why a capture file cannot be read.
public struct CaptureFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong, with the file's path.
    public var description: String

    /// Creates an error with a message for the user.
    public init(_ description: String) { self.description = description }
}

/// Reads SIP messages out of a pcap or pcapng file: plain SIP over UDP/TCP and HEP inside UDP.
public struct CaptureFileReader {
    /// Opens the capture file at `path`.
    public init(path: String) throws(CaptureFileError) {
        throw CaptureFileError("\(path): capture files are not supported yet")
    }

    /// The next SIP message in file order, or `nil` at the end of the file.
    public mutating func next() throws(CaptureFileError) -> CapturedPacket? {
        nil
    }
}
