import Foundation
import RinglogTestSupport
import Testing

/// ringlog's SIP lab (scripts/lab, docs/lab.md), started in a fresh run directory for one test and
/// always stopped with its own `stop` command.
struct Lab: Sendable {
    /// The lab's scripts: `RINGLOG_LAB_SCRIPTS` when set, else `scripts/lab` in this checkout.
    static let scriptsDirectory: String = {
        if let override = ProcessInfo.processInfo.environment["RINGLOG_LAB_SCRIPTS"], !override.isEmpty {
            return override
        }
        return PackageRoot.path("scripts/lab")
    }()

    /// Why the lab cannot run here, or `nil` when it can.
    static let unavailableReason: String? = {
        guard FileManager.default.isExecutableFile(atPath: scriptsDirectory + "/lab") else {
            return "the SIP lab is not in this checkout (\(scriptsDirectory)/lab)"
        }
        for program in ["kamailio", "baresip", "sipp", "python3"] {
            let found = ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/bin"].contains {
                FileManager.default.isExecutableFile(atPath: "\($0)/\(program)")
            }
            if !found { return "\(program) is not installed; run scripts/lab/install-deps" }
        }
        return nil
    }()

    /// Whether the lab can run; tests are skipped with the reason (printed once) otherwise.
    static let isAvailable: Bool = {
        if let reason = unavailableReason {
            print("RinglogSIPLabTests skipped: \(reason)")
            return false
        }
        return true
    }()

    let runDirectory: String
    let portBase: Int
    let pbxPort: Int
    let domain: String
    let agentUser: String
    let agentPassword: String
    let controlPorts: [String: Int]

    /// Starts a lab for `name`, trying a few port bases in case another lab holds one, runs `body`, and
    /// stops the lab whatever happens.
    static func with<T: Sendable>(
        _ name: String, portBases: [Int] = [13_000, 15_000], _ body: (Lab) async throws -> T
    ) async throws -> T {
        let lab = try await start(name, portBases: portBases)
        do {
            let result = try await body(lab)
            // The run directory (logs, traces) is kept only when something failed, for the diagnosis.
            if await lab.stop() { try? FileManager.default.removeItem(atPath: lab.runDirectory) }
            return result
        } catch {
            await lab.stop()
            throw error
        }
    }

    private static func start(_ name: String, portBases: [Int]) async throws -> Lab {
        var failures: [String] = []
        // Port bases below the kernel's ephemeral range (32768 up), so no random socket takes a lab port,
        // and apart from the other lab test targets' bases (a lab spans about base … base + 1,100, and
        // its HEP port here is base + 4,060), since test targets may run at the same time.
        for base in portBases {
            let runDirectory = FileManager.default.temporaryDirectory
                .appendingPathComponent("ringlog-lab-\(name)-\(UUID().uuidString.prefix(8))").path
            try FileManager.default.createDirectory(atPath: runDirectory, withIntermediateDirectories: true)
            let environment = [
                "RINGLOG_LAB_RUN": runDirectory, "RINGLOG_LAB_PORT_BASE": String(base),
                "RINGLOG_LAB_HEP": "127.0.0.1:\(base + 4_060)",
            ]
            let start = try ChildProcess(
                executable: scriptsDirectory + "/lab", arguments: ["start"], environment: environment,
                logPrefix: runDirectory + "/lab-start")
            let status = await start.wait(timeout: .seconds(90))
            if status == 0 {
                do {
                    return try Lab(runDirectory: runDirectory)
                } catch {
                    failures.append("port base \(base): lab.json: \(error)")
                }
            } else {
                failures.append("port base \(base): \(start.errorOutput)")
            }
            await stop(runDirectory: runDirectory)
        }
        throw LabError(description: "the lab did not start: \(failures.joined(separator: " | "))")
    }

    private init(runDirectory: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: runDirectory + "/lab.json"))
        let info = try JSONDecoder().decode(LabInfo.self, from: data)
        self.runDirectory = runDirectory
        portBase = info.portBase
        pbxPort = info.pbx.port
        domain = info.domain
        agentUser = info.agent.user
        agentPassword = info.agent.password
        controlPorts = info.phones.mapValues(\.controlPort)
    }

    /// The lab's own stop command (it signals only PIDs recorded in the run directory); `true` when it
    /// stopped everything.
    @discardableResult
    func stop() async -> Bool {
        await Self.stop(runDirectory: runDirectory)
    }

    @discardableResult
    private static func stop(runDirectory: String) async -> Bool {
        guard
            let stop = try? ChildProcess(
                executable: scriptsDirectory + "/lab", arguments: ["stop"],
                environment: ["RINGLOG_LAB_RUN": runDirectory], logPrefix: runDirectory + "/lab-stop")
        else { return false }
        return await stop.wait(timeout: .seconds(120)) == 0
    }

    /// Runs `scripts/lab/drive SCENARIO --expect-out FILE` and returns the expected records.
    func drive(_ scenario: String) async throws -> [ExpectedCallRecord] {
        let file = "\(runDirectory)/\(scenario).expected.json"
        let drive = try ChildProcess(
            executable: Self.scriptsDirectory + "/drive", arguments: [scenario, "--expect-out", file],
            environment: ["RINGLOG_LAB_RUN": runDirectory], logPrefix: "\(runDirectory)/drive-\(scenario)")
        let status = await drive.wait(timeout: .seconds(120))
        guard status == 0 else {
            throw LabError(
                description: "drive \(scenario) exited \(status): \(drive.errorOutput)"
            )
        }
        return try JSONDecoder().decode([ExpectedCallRecord].self, from: Data(contentsOf: URL(fileURLWithPath: file)))
    }

    /// A phone's remote control.
    func phone(_ extensionNumber: String) throws -> LabPhone {
        guard let port = controlPorts[extensionNumber] else {
            throw LabError(description: "the lab has no phone \(extensionNumber)")
        }
        return try LabPhone(name: extensionNumber, port: UInt16(port))
    }
}

/// The parts of `RUN/lab.json` the tests use.
private struct LabInfo: Decodable {
    struct PBX: Decodable { var port: Int }
    struct Phone: Decodable {
        var controlPort: Int
        private enum CodingKeys: String, CodingKey { case controlPort = "control_port" }
    }
    struct Agent: Decodable {
        var user: String
        var password: String
    }
    var domain: String
    var portBase: Int
    var pbx: PBX
    var phones: [String: Phone]
    var agent: Agent

    private enum CodingKeys: String, CodingKey {
        case domain, pbx, phones, agent
        case portBase = "port_base"
    }
}

/// The lab failed to do what a test needs.
struct LabError: Error, CustomStringConvertible {
    var description: String
}

/// Every lab test, one after another: each starts its own lab, and two labs at once would only
/// compete for a loaded machine's cores.
@Suite(.serialized, .enabled(if: Lab.isAvailable, "needs the SIP lab (scripts/lab) and its packages"))
enum SIPLabTests {}
