import Glibc

/// A pipe that a capture thread polls next to its sockets, so that `stop()` wakes it at once instead
/// of waiting for a poll timeout.
final class WakeSignal: Sendable {
    /// The end to include in `poll` (readable once ``signal()`` was called).
    let readDescriptor: Int32
    private let writeDescriptor: Int32

    /// Creates the pipe; `nil` when the process is out of file descriptors.
    init?() {
        var descriptors: [Int32] = [-1, -1]
        guard pipe(&descriptors) == 0 else { return nil }
        for descriptor in descriptors {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        }
        readDescriptor = descriptors[0]
        writeDescriptor = descriptors[1]
    }

    /// Makes ``readDescriptor`` readable (idempotent enough: extra bytes are harmless).
    func signal() {
        var byte: UInt8 = 1
        _ = write(writeDescriptor, &byte, 1)
    }

    deinit {
        close(readDescriptor)
        close(writeDescriptor)
    }
}
