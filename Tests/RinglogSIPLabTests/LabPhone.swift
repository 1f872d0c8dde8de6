import Dispatch
import Foundation
import Glibc
import Synchronization
import class RinglogCore.Locked

/// A lab phone's remote control: baresip's `ctrl_tcp` (JSON messages in netstrings) on 127.0.0.1.
///
/// Blocking socket reads run on the phone's own dispatch queue, never on the cooperative pool; every
/// wait is bounded by its timeout.
final class LabPhone: Sendable {
    /// One event baresip reported, e.g. `CALL_INCOMING` with the caller's URI.
    struct Event: Sendable {
        var type: String
        var peerURI: String?
        var callID: String?
    }

    let name: String
    private let descriptor: Int32
    private let queue: DispatchQueue
    private let state = Locked(State())

    private struct State {
        var buffer: [UInt8] = []
        var events: [Event] = []
        var responses: [String: String] = [:]
        var nextToken = 0
    }

    init(name: String, port: UInt16) throws {
        self.name = name
        queue = DispatchQueue(label: "ringlog.lab.phone-\(name)")
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw LabError(description: "phone \(name): socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(descriptor)
            throw LabError(description: "phone \(name): cannot connect to its control port \(port)")
        }
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// Sends a baresip command (`accept`, `hangup`, `listcalls`, …) and returns its response's data.
    @discardableResult
    func command(_ command: String, params: String? = nil, timeout: Duration = .seconds(10)) async throws -> String {
        let token = state.withLock { state -> String in
            state.nextToken += 1
            return String(state.nextToken)
        }
        var message: [String: String] = ["command": command, "token": token]
        if let params { message["params"] = params }
        let body = try JSONSerialization.data(withJSONObject: message)
        let frame = Array("\(body.count):".utf8) + Array(body) + Array(",".utf8)
        let sent = frame.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == frame.count else { throw LabError(description: "phone \(name): send failed") }
        return try await readUntil(timeout: timeout, what: "a response to \(command)") { state in
            state.responses.removeValue(forKey: token)
        }
    }

    /// Consumes events up to the first of `type` and returns it.
    func waitFor(_ type: String, timeout: Duration = .seconds(20)) async throws -> Event {
        try await readUntil(timeout: timeout, what: "a \(type) event") { state in
            guard let index = state.events.firstIndex(where: { $0.type == type }) else { return nil }
            let event = state.events[index]
            state.events.removeFirst(index + 1)
            return event
        }
    }

    /// Hangs up every call (bounded), so the lab is idle for the next test.
    func hangUpAll() async {
        for _ in 0..<5 {
            guard let list = try? await command("listcalls"), !list.contains("Active calls (0)") else { return }
            _ = try? await command("hangup")
            try? await Task.sleep(for: .milliseconds(300))
        }
    }

    private func readUntil<T: Sendable>(
        timeout: Duration, what: String, _ found: @escaping @Sendable (inout State) -> T?
    ) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        return try await withCheckedThrowingContinuation { continuation in
            queue.async { [self] in
                while true {
                    if let value = state.withLock({ found(&$0) }) {
                        continuation.resume(returning: value)
                        return
                    }
                    guard ContinuousClock.now < deadline else {
                        continuation.resume(throwing: LabError(description: "phone \(name): no \(what) in time"))
                        return
                    }
                    readAvailable()
                }
            }
        }
    }

    /// Reads what arrived (up to 200 ms) and files the complete netstrings as events or responses.
    private func readAvailable() {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = recv(descriptor, &chunk, chunk.count, 0)
        guard count > 0 else { return }
        state.withLock { state in
            state.buffer += chunk[..<count]
            while let colon = state.buffer.firstIndex(of: UInt8(ascii: ":")),
                let length = Int(String(decoding: state.buffer[..<colon], as: UTF8.self)),
                state.buffer.count >= colon + 1 + length + 1
            {
                let body = Data(state.buffer[(colon + 1)..<(colon + 1 + length)])
                state.buffer.removeFirst(colon + 1 + length + 1)
                guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else { continue }
                if object["event"] as? Bool == true {
                    state.events.append(
                        Event(
                            type: object["type"] as? String ?? "", peerURI: object["peeruri"] as? String,
                            callID: object["id"] as? String))
                } else if let token = object["token"] as? String {
                    state.responses[token] = object["data"] as? String ?? ""
                }
            }
        }
    }
}
