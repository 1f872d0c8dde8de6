/// Why the SIP user agent could not do what was asked.
public enum SIPUserAgentError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A libre call failed with this errno value.
    case libre(operation: String, errno: Int32)
    /// The configured local address is not an IP address libre can bind to.
    case invalidLocalAddress(String)
    /// The user agent has been shut down.
    case stopped

    /// A sentence for the user.
    public var description: String {
        switch self {
        case .libre(let operation, let errno):
            return "the SIP stack (libre) failed in \(operation) with errno \(errno); check the SIP settings and "
                + "that the local address and port are free"
        case .invalidLocalAddress(let address):
            return "'\(address)' is not a local IP address the SIP user agent can bind to; give an IPv4 or IPv6 address"
        case .stopped:
            return "the SIP user agent has been shut down; start a new one"
        }
    }
}
