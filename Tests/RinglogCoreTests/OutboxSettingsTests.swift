import Foundation
import RinglogCore
import Testing

@Suite("Outbox settings")
struct OutboxSettingsTests {
    private static let base =
        #"{"tenant": "a", "state_dir": "/s", "pipedrive": {"base_url": "https://a.pipedrive.com", "api_token": "t"}"#

    @Test("finished items are kept 30 days unless outbox.keep_done_days says otherwise")
    func keepDoneDays() throws {
        let standard = try TenantConfiguration(json: JSONValue(parsing: Data((Self.base + "}").utf8)))
        #expect(standard.outbox.keepDoneDays == 30)
        let configured = try TenantConfiguration(
            json: JSONValue(parsing: Data((Self.base + #", "outbox": {"keep_done_days": 0}}"#).utf8)))
        #expect(configured.outbox.keepDoneDays == 0)
        #expect(configured.outbox.removalCutoff(nowMilliseconds: 5_000) == 5_000)
        #expect(OutboxSettings(keepDoneDays: 2).removalCutoff(nowMilliseconds: 200_000_000) == 27_200_000)
    }

    @Test(
        "a wrong retention names the key",
        arguments: [
            (#", "outbox": {"keep_done_days": -1}}"#, "outbox.keep_done_days"),
            (#", "outbox": {"keep_days": 3}}"#, "outbox.keep_days"),
        ])
    func wrongRetention(suffix: String, key: String) throws {
        #expect {
            try TenantConfiguration(json: JSONValue(parsing: Data((Self.base + suffix).utf8)))
        } throws: { error in
            "\(error)".contains(key)
        }
    }
}
