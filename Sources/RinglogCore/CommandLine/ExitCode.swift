/// Process exit codes, following sysexits(3) where one fits.
public enum ExitCode: Int32, Sendable {
    /// Everything went as asked.
    case success = 0
    /// A general failure that no other code describes.
    case failure = 1
    /// The command line was wrong (EX_USAGE).
    case usage = 64
    /// The input data was wrong (EX_DATAERR).
    case dataError = 65
    /// An input file could not be opened (EX_NOINPUT).
    case noInput = 66
    /// A host name is unknown (EX_NOHOST).
    case noHost = 68
    /// A service ringlog needs is not available (EX_UNAVAILABLE).
    case unavailable = 69
    /// An internal error: a bug in ringlog (EX_SOFTWARE).
    case software = 70
    /// A file could not be created or written (EX_CANTCREAT).
    case cannotCreate = 73
    /// An input/output error (EX_IOERR).
    case ioError = 74
    /// A temporary failure: trying again later may work (EX_TEMPFAIL).
    case temporaryFailure = 75
    /// The remote side refused what the protocol asked of it (EX_PROTOCOL).
    case protocolError = 76
    /// Permission denied (EX_NOPERM).
    case noPermission = 77
    /// The configuration is wrong (EX_CONFIG).
    case configuration = 78
}
