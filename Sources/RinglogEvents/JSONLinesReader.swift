/// Splits a byte stream into lines, holding at most one line (bounded) in memory.
///
/// Lines end with `\n`; a `\r` before it is dropped. A line longer than ``maximumLineBytes`` is not kept:
/// it comes out as ``Line/tooLong(number:prefix:byteCount:)`` with its first bytes, for the rejected file.
public struct JSONLinesReader: Sendable {
    /// One line of input.
    public enum Line: Sendable, Equatable {
        /// A line (1-based `number`) within the limit, without its line end.
        case text(number: Int, bytes: [UInt8])
        /// A line over the limit: its first bytes and its full length.
        case tooLong(number: Int, prefix: [UInt8], byteCount: Int)
    }

    /// The longest line read, in bytes (64 KiB by default).
    public let maximumLineBytes: Int
    /// How many bytes of a too-long line are kept for the rejected file.
    public static let keptPrefixBytes = 1_024

    private var current: [UInt8] = []
    private var currentLength = 0
    private var lineNumber = 0

    /// Creates a reader.
    public init(maximumLineBytes: Int = 65_536) {
        self.maximumLineBytes = maximumLineBytes
    }

    /// Feeds the next chunk; returns the lines it completed.
    public mutating func append(_ chunk: some Sequence<UInt8>) -> [Line] {
        var lines: [Line] = []
        for byte in chunk {
            if byte == UInt8(ascii: "\n") {
                lines.append(finishLine())
            } else {
                currentLength += 1
                if current.count < maximumLineBytes + 1 { current.append(byte) }
            }
        }
        return lines
    }

    /// Ends the input: returns the last line when it had no line end.
    public mutating func finish() -> [Line] {
        currentLength > 0 ? [finishLine()] : []
    }

    private mutating func finishLine() -> Line {
        lineNumber += 1
        defer {
            current.removeAll(keepingCapacity: true)
            currentLength = 0
        }
        var length = currentLength
        if current.last == UInt8(ascii: "\r"), length <= maximumLineBytes + 1 {
            current.removeLast()
            length -= 1
        }
        guard length <= maximumLineBytes else {
            return .tooLong(number: lineNumber, prefix: Array(current.prefix(Self.keptPrefixBytes)), byteCount: length)
        }
        return .text(number: lineNumber, bytes: current)
    }
}
