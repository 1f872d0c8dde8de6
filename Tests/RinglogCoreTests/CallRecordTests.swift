import Foundation
import RinglogCore
import Testing

@Suite("Call records, timestamps, site descriptions, replay settings")
struct CallRecordTests {
    static let record = CallRecord(
        callID: "a\"b\\c", direction: .inbound, from: "+358401234567", to: "1001", extensionNumber: nil,
        startedAt: CaptureTime(microsecondsSinceEpoch: 1_795_233_216_123_999), answeredAt: nil,
        endedAt: CaptureTime(microsecondsSinceEpoch: 1_795_233_219_000_000), ringSeconds: 2.87, talkSeconds: 0,
        outcome: .answeredElsewhere, complete: true)

    @Test("JSON line: key order, escaping, null, one decimal")
    func jsonLine() {
        #expect(
            Self.record.jsonLine
                == #"{"call_id":"a\"b\\c","direction":"inbound","from":"+358401234567","to":"1001","extension":null,"#
                + #""started_at":"2026-11-21T03:53:36.123Z","answered_at":null,"ended_at":"2026-11-21T03:53:39.000Z","#
                + #""ring_seconds":2.9,"talk_seconds":0.0,"outcome":"answered_elsewhere","complete":true}"#)
    }

    @Test("JSON line: control characters escaped, other characters as they are, and read back the same")
    func jsonLineCharacters() throws {
        var record = Self.record
        record.callID = "\u{1}\u{1F}\t\n\r caf\u{E9} \u{1F600} \u{7F}/"
        record.from = nil
        let line = record.jsonLine
        #expect(line.hasPrefix(#"{"call_id":"\u0001\u001f\t\n\r caf\#u{E9} \#u{1F600} \#u{7F}/","direction""#))
        #expect(line.contains(#""from":null,"to":"1001""#))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["call_id"] as? String == record.callID)
    }

    @Test("Codable uses exactly the documented snake_case keys and round-trips")
    func codable() throws {
        let data = try JSONEncoder().encode(Self.record)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(
            Set(object.keys) == [
                "call_id", "direction", "from", "to", "extension", "started_at", "answered_at", "ended_at",
                "ring_seconds", "talk_seconds", "outcome", "complete",
            ])
        let decoded = try JSONDecoder().decode(CallRecord.self, from: data)
        #expect(decoded.callID == Self.record.callID)
        #expect(decoded.startedAt == CaptureTime(microsecondsSinceEpoch: 1_795_233_216_123_000))
        #expect(decoded.outcome == .answeredElsewhere)
        #expect(decoded.extensionNumber == nil)
        let fromLine = try JSONDecoder().decode(CallRecord.self, from: Data(Self.record.jsonLine.utf8))
        #expect(fromLine.endedAt == Self.record.endedAt)
    }

    @Test(
        "ISO 8601 with milliseconds",
        arguments: [
            (Int64(0), "1970-01-01T00:00:00.000Z"), (951_782_400_000_001, "2000-02-29T00:00:00.000Z"),
            (1_795_233_216_123_999, "2026-11-21T03:53:36.123Z"), (4_102_444_799_999_000, "2099-12-31T23:59:59.999Z"),
            (-1000, "1969-12-31T23:59:59.999Z"),
        ])
    func iso8601(micros: Int64, text: String) {
        #expect(ISO8601Timestamp.string(from: CaptureTime(microsecondsSinceEpoch: micros)) == text)
        let millis = micros >= 0 ? micros / 1000 : (micros - 999) / 1000
        #expect(ISO8601Timestamp.time(from: text) == CaptureTime(microsecondsSinceEpoch: millis * 1000))
    }

    @Test(
        "ISO 8601 parsing refuses other shapes",
        arguments: ["", "2026-11-21", "2026-13-01T00:00:00Z", "2026-11-21T03:53:36.1234567Z", "2026-11-21 03:53:36Z"])
    func iso8601Refuses(text: String) {
        #expect(ISO8601Timestamp.time(from: text) == nil)
    }

    @Test("site description: addresses with and without port, IPv6, extension numbers")
    func site() throws {
        let site = try SiteDescription(
            pbxAddresses: ["10.0.0.1:5060", "[2001:db8::1]:5060", "pbx-only-host"], trunkAddresses: ["192.0.2.1"],
            extensionPattern: #"\d{3,4}"#)
        #expect(site.isPBX(TransportEndpoint(address: "10.0.0.1", port: 5060)))
        #expect(!site.isPBX(TransportEndpoint(address: "10.0.0.1", port: 5061)))
        #expect(site.isPBX(TransportEndpoint(address: "2001:db8::1", port: 5060)))
        #expect(site.isPBX(TransportEndpoint(address: "pbx-only-host", port: 1)))
        #expect(site.isTrunk(TransportEndpoint(address: "192.0.2.1", port: 5099)))
        #expect(site.extensionNumber(inUser: "1001") == "1001")
        #expect(site.extensionNumber(inUser: "1002-0x559f57310cc0") == "1002")
        #expect(site.extensionNumber(inUser: "+358401234567") == nil)
        #expect(site.extensionNumber(inUser: "alice") == nil)
        #expect(throws: SiteDescriptionError.self) { try SiteDescription(pbxAddresses: ["10.0.0.1:port"]) }
        #expect(throws: SiteDescriptionError.self) { try SiteDescription(pbxAddresses: ["[::1"]) }
        #expect(throws: SiteDescriptionError.self) { try SiteDescription(pbxAddresses: [], extensionPattern: "(") }
    }

    @Test("replay settings from JSON")
    func settings() throws {
        let json = #"""
            {"site": {"pbx_addresses": ["127.0.0.1:15060"], "trunk_addresses": ["127.0.0.1:15090"],
                      "extension_pattern": "1\\d{3}"}, "region": "fi", "outside_line_prefix": "0"}
            """#
        let settings = try JSONDecoder().decode(ReplaySettings.self, from: Data(json.utf8))
        #expect(settings.site?.pbxAddresses == ["127.0.0.1:15060"])
        #expect(settings.site?.extensionPattern == #"1\d{3}"#)
        let configuration = try settings.trackerConfiguration()
        #expect(configuration.normalizer.region == "FI")
        #expect(configuration.normalizer.outsideLinePrefix == "0")
        #expect(configuration.site?.extensionNumber(inUser: "1234") == "1234")
        let empty = try JSONDecoder().decode(ReplaySettings.self, from: Data("{}".utf8))
        #expect(try empty.trackerConfiguration().site == nil)
        #expect(throws: SiteDescriptionError.self) { try ReplaySettings(region: "FIN").trackerConfiguration() }
    }
}
