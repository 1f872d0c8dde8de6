/// Why libre's `sip_msg_decode` did not return a message.
public enum LibreDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `libre_init` failed with this errno value; libre cannot be used in this process.
    case initializationFailed(errno: Int32)
    /// libre needs more bytes (`ENODATA`): the start line or the blank line after the headers is missing.
    case incomplete
    /// libre rejected the message with this errno value (`EBADMSG` for a malformed message).
    case rejected(errno: Int32)

    /// A sentence for test output.
    public var description: String {
        switch self {
        case .initializationFailed(let errno):
            return "libre_init failed with errno \(errno); check that libre (libre-dev) is installed correctly"
        case .incomplete:
            return "libre needs more data: the message has no complete start line or no blank line after its headers"
        case .rejected(let errno):
            return "libre rejected the message with errno \(errno)"
        }
    }
}
