import Foundation

/// Runs the lab's scripts (scripts/lab/lab, scripts/lab/drive) as child processes with a time limit.
///
/// The children are started with `posix_spawn`, an empty signal mask and default signal handlers (the test
/// process blocks some signals in its threads; the lab's daemons must not inherit that, or they ignore the
/// TERM of `lab stop`), and are waited for by polling `waitpid`, independent of any SIGCHLD handling.
enum LabProcess {
    /// How a script ended: its exit status (128 + signal when a signal ended it) and its output.
    struct Outcome: Sendable {
        var status: Int32
        var output: String
        var succeeded: Bool { status == 0 }
    }

    /// A script could not be started.
    struct SpawnFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `script` (a path under the package root) with `arguments` and extra environment variables,
    /// standard output and error going to `logPath`. After `limit` seconds the process gets SIGTERM, then
    /// SIGKILL 10 s later, by its PID.
    static func run(
        _ script: String, _ arguments: [String], environment: [String: String], logPath: String,
        limit: Double
    ) async throws -> Outcome {
        let pid = try spawn(script, arguments, environment: environment, logPath: logPath)
        let started = Date()
        var signalled = 0
        var status: Int32 = 0
        // Bounded: SIGTERM at the limit, SIGKILL 10 s later, and a killed process ends.
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid || (result < 0 && errno != EINTR) { break }
            let elapsed = Date().timeIntervalSince(started)
            if signalled == 0 && elapsed > limit {
                kill(pid, SIGTERM)
                signalled = 1
            } else if signalled == 1 && elapsed > limit + 10 {
                kill(pid, SIGKILL)
                signalled = 2
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let output = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return Outcome(status: exitStatus, output: output)
    }

    private static func spawn(
        _ script: String, _ arguments: [String], environment: [String: String], logPath: String
    ) throws -> pid_t {
        let executable = LabFixtures.packageRoot.appendingPathComponent(script).path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD, SIGQUIT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let variables = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
            .map { "\($0.key)=\($0.value)" }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = variables.map { strdup($0) } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw SpawnFailure(description: "cannot start \(executable): \(String(cString: strerror(result)))")
        }
        return pid
    }

    /// The lab's programs that are not installed (empty when the lab can run): kamailio, baresip, sipp.
    static let missingLabPrograms: [String] = {
        let directories =
            (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            + ["/usr/sbin", "/usr/bin", "/sbin"]
        return ["kamailio", "baresip", "sipp", "python3"].filter { program in
            !directories.contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(program)") }
        }
    }()
}
