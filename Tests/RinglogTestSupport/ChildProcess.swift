import Foundation
import Synchronization
import class RinglogCore.Locked

#if canImport(Glibc)
    import Glibc
#endif

/// A child process of a test: started with `posix_spawn` and a clean signal state, output to files, waited
/// for by polling `waitpid` (never blocking Swift's cooperative pool), and stopped by its PID.
///
/// The test runner's threads block some signals and children inherit that mask: a daemon started with
/// SIGTERM blocked could not be stopped. Children therefore start with an empty mask and default
/// dispositions for every signal.
public final class ChildProcess: Sendable {
    /// How a process ended: its exit status (128 + the signal's number when a signal ended it).
    public struct Outcome: Sendable {
        /// The exit status, or 128 + signal.
        public var status: Int32
        /// What the process wrote to its output file (standard output and error together for ``run``).
        public var output: String
        /// Whether it exited with 0.
        public var succeeded: Bool { status == 0 }
    }

    /// A process could not be started.
    public struct SpawnFailure: Error, CustomStringConvertible {
        /// What went wrong.
        public var description: String
    }

    /// The process's id.
    public let pid: pid_t
    /// Where its standard output goes.
    public let outputPath: String
    /// Where its standard error goes (the same file as the output when none was given).
    public let errorPath: String
    private let exitStatus = Locked<Int32?>(nil)

    /// Starts `executable` with `arguments`; `environment` is added to the test's own. Standard input is
    /// /dev/null, standard output goes to `outputPath` and standard error to `errorPath` (or the same file),
    /// both truncated, or appended to with `append`.
    public init(
        executable: String, arguments: [String], environment: [String: String] = [:], outputPath: String,
        errorPath: String? = nil, append: Bool = false
    ) throws {
        self.outputPath = outputPath
        self.errorPath = errorPath ?? outputPath
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let flags = O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, flags, 0o644)
        if let errorPath, errorPath != outputPath {
            posix_spawn_file_actions_addopen(&actions, 2, errorPath, flags, 0o644)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
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

        var merged = ProcessInfo.processInfo.environment
        merged["PYTHONDONTWRITEBYTECODE"] = "1"  // Python children must not write into the checkout
        for (key, value) in environment { merged[key] = value }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw SpawnFailure(description: "cannot start \(executable): \(String(cString: strerror(result)))")
        }
        self.pid = pid
    }

    /// Starts `executable` with `arguments`; standard output goes to `logPrefix.out`, standard error to
    /// `logPrefix.err`.
    public convenience init(
        executable: String, arguments: [String], environment: [String: String] = [:], logPrefix: String
    ) throws {
        try self.init(
            executable: executable, arguments: arguments, environment: environment, outputPath: logPrefix + ".out",
            errorPath: logPrefix + ".err")
    }

    /// The exit status (128 + signal) once the process ended, `nil` while it runs. Reaps it.
    public var status: Int32? {
        exitStatus.withLock { known in
            if let known { return known }
            var raw: Int32 = 0
            let result = waitpid(pid, &raw, WNOHANG)
            guard result == pid else { return nil }
            let status = (raw & 0x7f) == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
            known = status
            return status
        }
    }

    /// Whether the process still runs.
    public var isRunning: Bool { status == nil }

    /// Sends `signal` to the process (nothing once it ended).
    public func send(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// Waits at most `seconds` for the process to end; its status, or `nil` when it still runs.
    public func waitForExit(atMost seconds: Double) async -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let status { return status }
            // A cancelled task's sleep returns at once: keep the poll's pace without it.
            do { try await Task.sleep(for: .milliseconds(50)) } catch { usleep(50_000) }
        }
        return status
    }

    /// Waits for the process to end; after `timeout` it gets SIGTERM, and SIGKILL 5 s later. Its status.
    public func wait(timeout: Duration) async -> Int32 {
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        if let status = await waitForExit(atMost: seconds) { return status }
        return await stop(grace: 5)
    }

    /// Stops the process: SIGTERM, SIGKILL after `grace` seconds; returns its status.
    @discardableResult
    public func stop(grace: Double = 10) async -> Int32 {
        send(SIGTERM)
        if let status = await waitForExit(atMost: grace) { return status }
        send(SIGKILL)
        // A killed process ends; the bound is only a guard.
        return await waitForExit(atMost: 30) ?? 128 + SIGKILL
    }

    /// Stops the process without suspending (for `defer`): SIGTERM, SIGKILL after `grace` seconds.
    public func stopNow(grace: Double = 10) {
        guard isRunning else { return }
        kill(pid, SIGTERM)
        for _ in 0..<Int(grace * 40) where isRunning { usleep(25_000) }
        if isRunning { kill(pid, SIGKILL) }
        for _ in 0..<1200 where isRunning { usleep(25_000) }
    }

    /// What the process wrote to its output file so far.
    public var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    /// What the process wrote to its error file so far.
    public var errorOutput: String { (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "" }

    /// Runs `executable` to its end, output and errors to `logPath`. After `limit` seconds it gets SIGTERM,
    /// SIGKILL 10 s later.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], logPath: String,
        limit: Double
    ) async throws -> Outcome {
        let process = try ChildProcess(
            executable: executable, arguments: arguments, environment: environment, outputPath: logPath)
        let status: Int32
        if let finished = await process.waitForExit(atMost: limit) {
            status = finished
        } else {
            status = await process.stop(grace: 10)
        }
        return Outcome(status: status, output: process.output)
    }
}
