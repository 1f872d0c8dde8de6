import Foundation
import RinglogCore

/// A file problem while taking in events: the path, the system's reason and what to do.
public enum EventIntakeError: Error, Equatable, Sendable, CommandFailure {
    /// A file or directory could not be written (the rejected file, the spool's `processing/`).
    case cannotWrite(path: String, errno: Int32)
    /// A file or directory could not be read.
    case cannotRead(path: String, errno: Int32)

    public var message: String {
        switch self {
        case .cannotWrite(let path, let code):
            "cannot write \(path): \(String(cString: strerror(code))); check that the directory exists and that "
                + "ringlog's user may write to it"
        case .cannotRead(let path, let code):
            "cannot read \(path): \(String(cString: strerror(code))); check the path and its permissions"
        }
    }

    public var exitCode: ExitCode {
        switch self {
        case .cannotWrite: .cannotCreate
        case .cannotRead: .noInput
        }
    }
}
