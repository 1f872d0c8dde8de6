import Dispatch
import Foundation
import Glibc

/// A child process of a lab test: output to files in the run directory, waited for without blocking
/// Swift's cooperative pool, stopped by its PID.
///
/// Started with `posix_spawn` and a clean signal state (empty mask, default dispositions): the test
/// runner's threads may block or ignore signals, and a lab started with SIGTERM blocked could not be
/// stopped by its own `stop` command.
final class LabProcess: Sendable {
    let pid: pid_t
    let outputPath: String
    let errorPath: String
    private let exited: AsyncStream<Int32>

    /// Starts `executable` with `arguments`; standard output and error go to `logPrefix.out` / `.err`.
    init(executable: String, arguments: [String], environment: [String: String] = [:], logPrefix: String) throws {
        outputPath = logPrefix + ".out"
        errorPath = logPrefix + ".err"
        var merged = ProcessInfo.processInfo.environment
        merged["PYTHONDONTWRITEBYTECODE"] = "1"  // the lab's Python must not write into the checkout
        for (key, value) in environment { merged[key] = value }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var child: pid_t = 0
        let status = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        guard status == 0 else {
            throw LabError(description: "cannot start \(executable): \(String(cString: strerror(status)))")
        }
        pid = child
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        exited = stream
        DispatchQueue.global().async { [child] in
            var status: Int32 = 0
            while waitpid(child, &status, 0) < 0, errno == EINTR {}
            // WIFEXITED / WEXITSTATUS are macros; decode by hand. Killed by a signal: -signal.
            let signal = status & 0x7f
            continuation.yield(signal == 0 ? (status >> 8) & 0xff : -signal)
            continuation.finish()
        }
    }

    /// The exit status (negative: killed by that signal); after `timeout` the process is sent SIGTERM,
    /// then SIGKILL, by its PID.
    func wait(timeout: Duration) async -> Int32? {
        let pid = self.pid
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            kill(pid, SIGTERM)
            try await Task.sleep(for: .seconds(5))
            kill(pid, SIGKILL)
        }
        defer { watchdog.cancel() }
        for await status in exited { return status }
        return nil
    }

    /// What the process wrote to standard output.
    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }
    /// What the process wrote to standard error.
    var errorOutput: String { (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "" }
}
