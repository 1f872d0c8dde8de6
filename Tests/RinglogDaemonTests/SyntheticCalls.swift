import Foundation

/// Synthetic answered calls as a raw HEP v3 capture (datagrams back to back), for `ringlog run --replay`.
///
/// Each call is one dialog between a caller at 127.0.0.1:25091 and the PBX at 127.0.0.1:25060: INVITE,
/// 200, ACK, BYE, 200. Call `n` has Call-ID `synthetic-n@test`, the caller `+35840100nnnn` and talks
/// `n % 7 + 1` seconds.
enum SyntheticCalls {
    static let caller = (address: [UInt8]([127, 0, 0, 1]), port: UInt16(25091))
    static let pbx = (address: [UInt8]([127, 0, 0, 1]), port: UInt16(25060))

    static func callID(_ index: Int) -> String { "synthetic-\(index)@test" }

    static func talkSeconds(_ index: Int) -> Int { index % 7 + 1 }

    /// The capture of `count` calls starting at `start` (Unix seconds), one call started per second.
    static func capture(count: Int, start: UInt32 = 1_800_000_000) -> [UInt8] {
        var bytes: [UInt8] = []
        for index in 0..<count {
            let begin = start + UInt32(index)
            let talk = UInt32(talkSeconds(index))
            let number = String(format: "+35840100%04d", index % 10_000)
            let headers = { (via: String, toTag: String?, cseq: String) -> String in
                "Via: SIP/2.0/UDP 127.0.0.1:25091;branch=z9hG4bK-\(index)-\(via)\r\n"
                    + "From: <sip:\(number)@127.0.0.1>;tag=f\(index)\r\n"
                    + "To: <sip:1001@127.0.0.1>\(toTag.map { ";tag=\($0)" } ?? "")\r\n"
                    + "Call-ID: \(callID(index))\r\nCSeq: \(cseq)\r\nMax-Forwards: 70\r\n"
            }
            let invite =
                "INVITE sip:1001@127.0.0.1:25060 SIP/2.0\r\n" + headers("i", nil, "1 INVITE")
                + "Contact: <sip:\(number)@127.0.0.1:25091>\r\nContent-Length: 0\r\n\r\n"
            let ok =
                "SIP/2.0 200 OK\r\n" + headers("i", "t\(index)", "1 INVITE")
                + "Contact: <sip:1001@127.0.0.1:25110>\r\nContent-Length: 0\r\n\r\n"
            let ack =
                "ACK sip:1001@127.0.0.1:25110 SIP/2.0\r\n" + headers("a", "t\(index)", "1 ACK")
                + "Content-Length: 0\r\n\r\n"
            let bye =
                "BYE sip:1001@127.0.0.1:25110 SIP/2.0\r\n" + headers("b", "t\(index)", "2 BYE")
                + "Content-Length: 0\r\n\r\n"
            let byeOK = "SIP/2.0 200 OK\r\n" + headers("b", "t\(index)", "2 BYE") + "Content-Length: 0\r\n\r\n"
            bytes += hep(invite, from: caller, to: pbx, seconds: begin, microseconds: 0)
            bytes += hep(ok, from: pbx, to: caller, seconds: begin + 1, microseconds: 0)
            bytes += hep(ack, from: caller, to: pbx, seconds: begin + 1, microseconds: 10_000)
            bytes += hep(bye, from: caller, to: pbx, seconds: begin + 1 + talk, microseconds: 0)
            bytes += hep(byeOK, from: pbx, to: caller, seconds: begin + 1 + talk, microseconds: 10_000)
        }
        return bytes
    }

    /// One HEP v3 packet carrying `sip` over UDP/IPv4.
    static func hep(
        _ sip: String, from source: (address: [UInt8], port: UInt16), to destination: (address: [UInt8], port: UInt16),
        seconds: UInt32, microseconds: UInt32
    ) -> [UInt8] {
        func chunk(_ type: UInt16, _ payload: [UInt8]) -> [UInt8] {
            be16(0) + be16(type) + be16(UInt16(payload.count + 6)) + payload
        }
        var body: [UInt8] = []
        body += chunk(1, [2])
        body += chunk(2, [17])
        body += chunk(3, source.address)
        body += chunk(4, destination.address)
        body += chunk(7, be16(source.port))
        body += chunk(8, be16(destination.port))
        body += chunk(9, be32(seconds))
        body += chunk(10, be32(microseconds))
        body += chunk(11, [1])
        body += chunk(12, be32(2001))
        body += chunk(15, Array(sip.utf8))
        return Array("HEP3".utf8) + be16(UInt16(body.count + 6)) + body
    }

    static func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xff)] }
    static func be32(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xff), UInt8((value >> 8) & 0xff), UInt8(value & 0xff)]
    }
}
