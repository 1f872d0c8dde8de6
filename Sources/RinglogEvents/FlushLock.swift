import Foundation
import RinglogCore

/// One batch at a time per state directory: an advisory `flock` on `<state_dir>/event-flush.lock`.
///
/// Without it, `ringlog flush` run while the daemon is in a batch would see the daemon's in-flight events
/// as interrupted by a crash and handle them too. The kernel drops the lock when its holder exits, so a
/// crash never leaves it behind.
public final class FlushLock: Sendable {
    private let descriptor: Int32

    /// Takes the lock, or throws ``FlushLockError/busy(path:)`` when another process holds it.
    public init(stateDirectory: String) throws(FlushLockError) {
        let path = "\(stateDirectory)/event-flush.lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw FlushLockError.cannotOpen(path: path, errno: errno) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw FlushLockError.busy(path: path)
        }
        self.descriptor = descriptor
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

/// Why a batch could not start.
public enum FlushLockError: Error, Equatable, Sendable, CommandFailure {
    /// Another process is running a batch on the same state directory.
    case busy(path: String)
    /// The lock file could not be opened.
    case cannotOpen(path: String, errno: Int32)

    public var message: String {
        switch self {
        case .busy(let path):
            "another ringlog process is writing events right now (it holds \(path)); try again when it is done"
        case .cannotOpen(let path, let code):
            "cannot open \(path): \(String(cString: strerror(code))); check that the state directory is writable"
        }
    }

    public var exitCode: ExitCode {
        switch self {
        case .busy: .temporaryFailure
        case .cannotOpen: .cannotCreate
        }
    }
}
