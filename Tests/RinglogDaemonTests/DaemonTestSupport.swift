import Foundation
import RinglogTestSupport
import Testing

/// A temporary directory removed at the end.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ringlog-daemon-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The built `ringlog` binary (next to the test bundle).
var ringlogExecutable: URL { RinglogBinary.url }

/// Writes a tenant configuration for the simulator (API token of user 1 in a 0600 file).
func writeConfiguration(
    in directory: URL, simulator: PipedriveSimulator, extra: String = "", hepPort: Int = 39_061,
    logLevel: String = "warning"
) throws -> URL {
    let token = directory.appendingPathComponent("token")
    try Data("\(PipedriveSimulator.apiToken)\n".utf8).write(to: token)
    chmod(token.path, 0o600)
    let configuration = directory.appendingPathComponent("tenant.json")
    let text = """
        {"tenant": "test", "region": "FI", "state_dir": "\(directory.path)/state", "log_level": "\(logLevel)",
         "pipedrive": {"base_url": "\(simulator.baseURL.absoluteString)", "api_token_file": "\(token.path)"},
         "hep": {"listen": "127.0.0.1:\(hepPort)"},
         "policy": {"unmapped_extension": "default_user", "default_user_email": "aino.admin@ringlog-test.example",
                    "unknown_caller": "log_without_person"}\(extra)}
        """
    try Data(text.utf8).write(to: configuration)
    return configuration
}

/// Starts `ringlog` with `arguments`; standard error goes to `log`.
func startRinglog(_ arguments: [String], log: URL) throws -> Process {
    let process = Process()
    process.executableURL = ringlogExecutable
    process.arguments = arguments
    if !FileManager.default.fileExists(atPath: log.path) {
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
    }
    let handle = try FileHandle(forWritingTo: log)
    handle.seekToEndOfFile()
    process.standardError = handle
    process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
    try process.run()
    return process
}

/// Waits for `process` at most `seconds`; kills it (SIGKILL) and returns `false` when it is still running.
func wait(for process: Process, atMost seconds: Double) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while process.isRunning && Date() < deadline { usleep(20_000) }
    if process.isRunning {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return false
    }
    // Returns at once; without it Foundation keeps the finished Process and its file handles alive (the
    // address sanitizer's leak check reports them).
    process.waitUntilExit()
    return true
}

/// Runs `ringlog` to the end (bounded: 60 s) and returns its exit status and standard output.
func runRinglog(_ arguments: [String], in directory: URL) throws -> (status: Int32, output: String) {
    let output = directory.appendingPathComponent("stdout-\(UUID().uuidString)")
    _ = FileManager.default.createFile(atPath: output.path, contents: nil)
    let process = Process()
    process.executableURL = ringlogExecutable
    process.arguments = arguments
    process.standardOutput = try FileHandle(forWritingTo: output)
    process.standardError = FileHandle(forWritingAtPath: "/dev/null")
    try process.run()
    #expect(wait(for: process, atMost: 60))
    return (process.terminationStatus, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
}

/// Sends each HEP packet of `capture` (HEPv3 packets back to back, cut by their length fields), passed through
/// `prepare`, as one UDP datagram to 127.0.0.1:`port`; false when a length field is bad or a send fails.
func sendHEPDatagrams(
    _ capture: [UInt8], toPort port: UInt16, prepare: ([UInt8]) -> [UInt8] = { $0 }
) -> Bool {
    let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var offset = 0
    while offset + 6 <= capture.count {
        let length = Int(capture[offset + 4]) << 8 | Int(capture[offset + 5])
        guard length > 0, offset + length <= capture.count else { return false }
        let datagram = prepare(Array(capture[offset..<offset + length]))
        let sent = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(descriptor, datagram, datagram.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard sent == datagram.count else { return false }
        offset += length
    }
    return true
}
