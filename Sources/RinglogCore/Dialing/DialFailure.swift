/// Why `ringlog dial` did not connect the call, with the message and exit code the user sees.
///
/// | exit | meaning |
/// |---|---|
/// | 65 | not a phone number (``DialTargetError``) |
/// | 68 | the PBX host name does not resolve |
/// | 69 | the PBX is unreachable (no response) |
/// | 75 | the user's phone did not answer (rang out, busy, declined, not registered) |
/// | 76 | the PBX (or the phone) refused the REFER to the target |
/// | 77 | the PBX refused the SIP credentials |
/// | 78 | configuration: no `sip` block, or the PBX does not know the extension |
public enum DialFailure: Error, Equatable, Sendable, CommandFailure {
    /// The PBX host name does not resolve.
    case unknownHost(String, reason: String)
    /// Nothing answered at the PBX address.
    case unreachable(server: String)
    /// The PBX refused the credentials.
    case authenticationFailed(username: String, statusCode: Int)
    /// The PBX does not know the extension.
    case unknownExtension(String, status: String)
    /// The user's phone did not answer; `status` is the SIP status when there was one.
    case notAnswered(extension: String, status: String?, timeoutSeconds: Int)
    /// The REFER to the target was refused; `status` is the SIP status when there was one.
    case referRefused(target: String, status: String?)
    /// Anything else: what libre or the PBX said.
    case failed(String)
    /// The configuration has no `sip` block.
    case notConfigured(path: String)

    public var message: String {
        switch self {
        case .unknownHost(let host, let reason):
            "the PBX host name '\(host)' does not resolve (\(reason)); check sip.server"
        case .unreachable(let server):
            "the PBX at \(server) did not answer; check sip.server, that the PBX runs and that no firewall "
                + "blocks SIP (UDP) between here and there"
        case .authenticationFailed(let username, let statusCode):
            "the PBX refused the SIP credentials of '\(username)' (\(statusCode)); check sip.username and the "
                + "password, and that this account may place calls"
        case .unknownExtension(let name, let status):
            "the PBX does not know extension \(name) (\(status)); check --from or \"extension\""
        case .notAnswered(let name, let status?, _):
            "your phone (extension \(name)) did not answer (\(status)); is it registered and not busy? Try again"
        case .notAnswered(let name, nil, let timeout):
            "your phone (extension \(name)) did not answer within \(timeout) s; answer it when it rings, or "
                + "enable auto-answer (sip.auto_answer_headers) on the phone"
        case .referRefused(let target, let status?):
            "your phone answered, but the PBX refused to transfer it to \(target) (\(status)); check that the "
                + "account may transfer calls and that the number is allowed"
        case .referRefused(let target, nil):
            "your phone answered, but the transfer to \(target) got no answer from the PBX"
        case .failed(let detail):
            "the call failed: \(detail)"
        case .notConfigured(let path):
            "\(path) has no \"sip\" block; add {\"server\": \"192.0.2.10:5060\", \"username\": …, "
                + "\"password_file\": …}"
        }
    }

    public var exitCode: ExitCode {
        switch self {
        case .unknownHost: .noHost
        case .unreachable: .unavailable
        case .authenticationFailed: .noPermission
        case .unknownExtension, .notConfigured: .configuration
        case .notAnswered: .temporaryFailure
        case .referRefused: .protocolError
        case .failed: .failure
        }
    }
}
