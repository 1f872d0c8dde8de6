import Foundation
import RinglogTestSupport
import Testing

/// `ringlog run` with every kind of secret configured (API token or OAuth client secret, HEP capture password,
/// SIP password) and logging at debug level: HEP with the right, a wrong and no capture password arrives, the
/// call is queued and the writer fails against an unreachable Pipedrive (error paths), `status` and `trace`
/// run while it runs and after it stopped. No secret may appear in what any of them prints, nor in any file
/// the daemon wrote under state_dir.
@Suite("Secrets never appear in the daemon's output or state", .serialized)
struct DaemonSecretsTests {
    /// The Call-ID of the lab call sent (Tests/Fixtures/lab/inbound_answered.expected.json).
    static let callID = "lab-inbound_answered-1-30809@127.0.0.1"

    @Test("run, status, trace and state_dir hold no secret", arguments: [false, true])
    func daemonKeepsSecrets(oauth: Bool) throws {
        let files = try SecretFiles()
        let state = files.directory + (oauth ? "/state-oauth" : "/state-token")
        let log = files.directory + "/run.log"
        var daemon: Process?
        var configuration = ""
        // A free UDP/TCP port for HEP: the daemon exits 69 when the one tried is taken.
        for _ in 0..<5 where daemon == nil {
            let port = Int.random(in: 20_000...60_000)
            configuration = try files.daemonConfiguration(oauth: oauth, stateDirectory: state, hepPort: port)
            let process = try Self.start(["run", "--config", configuration], log: log)
            for _ in 0..<100 where process.isRunning && !Self.text(of: log).contains("listening for HEP") {
                usleep(50_000)
            }
            if process.isRunning {
                daemon = process
                try Self.sendLabCall(to: port, authKey: SecretFiles.secrets[2])
            } else {
                process.waitUntilExit()
            }
        }
        let running = try #require(daemon, "ringlog run did not start; see \(Self.text(of: log))")
        defer {
            if running.isRunning {
                kill(running.processIdentifier, SIGKILL)
                running.waitUntilExit()
            }
        }
        var outputs: [(String, RinglogBinary.Result)] = []
        var queued = false
        for _ in 0..<150 where !queued {
            let trace = try RinglogBinary.run(["trace", "--config", configuration, Self.callID])
            queued = trace.status == 0 && trace.output.contains(Self.callID)
            if !queued { usleep(200_000) }
        }
        #expect(queued, "the call was not queued; log: \(Self.text(of: log))")
        usleep(2_000_000)  // the writer tries Pipedrive (unreachable) at least once
        outputs.append(("status while running", try RinglogBinary.run(["status", "--config", configuration])))
        outputs.append(
            ("trace while running", try RinglogBinary.run(["trace", "--config", configuration, Self.callID])))
        kill(running.processIdentifier, SIGTERM)
        running.waitUntilExit()
        outputs.append(("status after stop", try RinglogBinary.run(["status", "--config", configuration])))
        outputs.append(("trace after stop", try RinglogBinary.run(["trace", "--config", configuration, Self.callID])))
        outputs.append(("trace of an unknown call", try RinglogBinary.run(["trace", "--config", configuration, "x"])))
        outputs.append(("check", try RinglogBinary.run(["check", "--offline", "--config", configuration])))
        outputs.append(
            ("status, no state", try RinglogBinary.run(["status", "--config", files.inlineSecrets])))

        let runLog = Self.text(of: log)
        for secret in SecretFiles.secrets {
            #expect(!runLog.contains(secret), "ringlog run's log shows \(secret)")
            for (name, result) in outputs {
                #expect(!result.output.contains(secret), "\(name): standard output shows \(secret)")
                #expect(!result.error.contains(secret), "\(name): standard error shows \(secret)")
            }
            for file in Self.files(under: state) {
                let bytes = (try? Data(contentsOf: URL(fileURLWithPath: file))) ?? Data()
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(file) holds \(secret)")
            }
        }
        #expect(!Self.files(under: state).isEmpty, "the daemon wrote nothing under \(state)")
    }

    /// Starts `ringlog` with standard error (and output) appended to `log`.
    static func start(_ arguments: [String], log: String) throws -> Process {
        if !FileManager.default.fileExists(atPath: log) {
            _ = FileManager.default.createFile(atPath: log, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.seekToEndOfFile()
        let process = Process()
        process.executableURL = RinglogBinary.url
        process.arguments = arguments
        process.standardError = handle
        process.standardOutput = handle
        try process.run()
        return process
    }

    static func text(of path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    /// Every regular file under `directory`, recursively.
    static func files(under directory: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return [] }
        var files: [String] = []
        while let name = walker.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let path = directory + "/" + name
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files.append(path)
            }
        }
        return files
    }

    /// Sends the lab's answered inbound call over UDP: each datagram once with the capture password, and the
    /// first also with a wrong one and with none (both refused).
    static func sendLabCall(to port: Int, authKey: String) throws {
        let capture = [UInt8](
            try Data(
                contentsOf: PackageRoot.url.appendingPathComponent("Tests/Fixtures/lab/inbound_answered.hep")
            ))
        var datagrams: [[UInt8]] = []
        var offset = 0
        while offset + 6 <= capture.count {
            let length = Int(capture[offset + 4]) << 8 | Int(capture[offset + 5])
            guard length >= 6, offset + length <= capture.count else { break }
            datagrams.append(Array(capture[offset..<offset + length]))
            offset += length
        }
        let socket = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard socket >= 0 else { throw POSIXError(.EIO) }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        func send(_ bytes: [UInt8]) {
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(socket, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            usleep(2_000)
        }
        if let first = datagrams.first {
            send(first)
            send(withAuthKey(first, "wrong-capture-password"))
        }
        for datagram in datagrams { send(withAuthKey(datagram, authKey)) }
    }

    /// `datagram` with a HEP auth key chunk (type 0x000e) appended and its length fixed.
    static func withAuthKey(_ datagram: [UInt8], _ key: String) -> [UInt8] {
        let chunk: [UInt8] = [0, 0, 0, 0x0e, 0, UInt8(key.utf8.count + 6)] + Array(key.utf8)
        var packet = datagram + chunk
        let length = packet.count
        packet[4] = UInt8(length >> 8)
        packet[5] = UInt8(length & 0xff)
        return packet
    }
}

extension SecretFiles {
    /// A configuration for `ringlog run` that logs at debug level, with the API token (or, with `oauth`, the
    /// OAuth client secret) and the SIP password inline and the HEP capture password in a 0600 file.
    func daemonConfiguration(oauth: Bool, stateDirectory: String, hepPort: Int) throws -> String {
        let path = directory + "/daemon-\(oauth ? "oauth" : "token")-\(hepPort).json"
        let credentials =
            oauth
            ? """
            "oauth": {"client_id": "ringlog-test", "client_secret": "\(Self.secrets[1])",
                      "redirect_uri": "http://localhost/cb", "token_url": "http://127.0.0.1:9/oauth/token",
                      "authorize_url": "http://127.0.0.1:9/oauth/authorize"}
            """ : #""api_token": "\#(Self.secrets[0])""#
        try write(directory + "/daemon-hep-key", Self.secrets[2] + "\n", mode: 0o600)
        let text = """
            {"tenant": "acme", "state_dir": "\(stateDirectory)", "log_level": "debug",
             "pipedrive": {"base_url": "http://127.0.0.1:9", \(credentials)},
             "hep": {"listen": "127.0.0.1:\(hepPort)", "auth_key_file": "\(directory)/daemon-hep-key"},
             "users": {"1001": "aino.admin@ringlog-test.example"},
             "sip": {"server": "127.0.0.1:9", "username": "1001", "password": "\(Self.secrets[3])"}}
            """
        try write(path, text, mode: 0o600)
        return path
    }
}
