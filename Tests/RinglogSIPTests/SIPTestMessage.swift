import CRe
import Foundation

/// Just enough SIP text handling for a test to answer a request: header lookup and responses.
struct SIPTestMessage {
    let startLine: String
    let headers: [(name: String, value: String)]
    /// Everything after the blank line.
    let body: String

    init(_ text: String) {
        let parts = text.components(separatedBy: "\r\n\r\n")
        let head = parts.first ?? text
        body = parts.dropFirst().joined(separator: "\r\n\r\n")
        var lines = head.components(separatedBy: "\r\n")
        startLine = lines.isEmpty ? "" : lines.removeFirst()
        headers = lines.compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
    }

    /// Every value of a header, by full name, case-insensitively.
    func values(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    /// The first value of a header.
    func value(_ name: String) -> String? { values(name).first }

    /// A response to this request: Via, From, Call-ID and CSeq copied, To given `toTag` if it has none.
    func response(
        _ status: String, toTag: String, extraHeaders: [String] = [], body: String = "", contentType: String? = nil
    ) -> String {
        var lines = ["SIP/2.0 \(status)"]
        lines += values("Via").map { "Via: \($0)" }
        lines.append("From: \(value("From") ?? "")")
        let to = value("To") ?? ""
        lines.append("To: \(to.contains(";tag=") ? to : "\(to);tag=\(toTag)")")
        lines.append("Call-ID: \(value("Call-ID") ?? "")")
        lines.append("CSeq: \(value("CSeq") ?? "")")
        lines += extraHeaders
        if let contentType { lines.append("Content-Type: \(contentType)") }
        lines.append("Content-Length: \(body.utf8.count)")
        return lines.joined(separator: "\r\n") + "\r\n\r\n" + body
    }

    /// A NOTIFY in the dialog this SUBSCRIBE created, sent by the notifier at `notifierPort` whose
    /// 200 OK carried To-tag `notifierTag`, addressed to the subscriber's Contact.
    func notify(notifierPort: UInt16, notifierTag: String, body: String, contentType: String) -> String {
        let contactURI = (value("Contact") ?? "").drop { $0 == "<" }.prefix { $0 != ">" }
        let to = value("To") ?? ""
        let notifierAddress = to.prefix { $0 != ";" }
        return [
            "NOTIFY \(contactURI) SIP/2.0",
            "Via: SIP/2.0/UDP 127.0.0.1:\(notifierPort);branch=z9hG4bK\(notifierTag)notify",
            "From: \(notifierAddress);tag=\(notifierTag)",
            "To: \(value("From") ?? "")",
            "Call-ID: \(value("Call-ID") ?? "")",
            "CSeq: 1 NOTIFY",
            "Contact: <sip:notifier@127.0.0.1:\(notifierPort)>",
            "Event: \(value("Event") ?? "")",
            "Subscription-State: active;expires=300",
            "Content-Type: \(contentType)",
            "Content-Length: \(body.utf8.count)",
        ].joined(separator: "\r\n") + "\r\n\r\n" + body
    }

    /// The `key="value"` or `key=value` parameters of a `Digest ...` header value.
    static func digestParameters(_ header: String) -> [String: String] {
        var parameters: [String: String] = [:]
        let list = header.hasPrefix("Digest ") ? String(header.dropFirst(7)) : header
        for item in list.split(separator: ",") {
            let pair = item.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            let key = pair[0].trimmingCharacters(in: .whitespaces)
            let value = pair[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: ["\""])
            parameters[key] = value
        }
        return parameters
    }

    /// Lower-case hex MD5 of `text`, computed with libre's `md5`.
    static func md5Hex(_ text: String) -> String {
        var digest = [UInt8](repeating: 0, count: 16)
        let bytes = Array(text.utf8)
        md5(bytes, bytes.count, &digest)
        return digest.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
