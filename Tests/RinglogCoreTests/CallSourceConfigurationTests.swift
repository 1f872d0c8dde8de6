import Foundation
import RinglogCore
import Testing

@Suite("The source key")
struct CallSourceConfigurationTests {
    private func parse(_ extra: String) throws -> TenantConfiguration {
        let text = """
            {"tenant": "acme", "state_dir": "/var/lib/ringlog/acme",
             "pipedrive": {"base_url": "https://acme.pipedrive.com", "api_token_file": "/etc/ringlog/acme.token"}\(extra)}
            """
        return try TenantConfiguration(json: try JSONValue(parsing: Data(text.utf8)))
    }

    @Test("HEP is the default; dialog_events with sip.dialog_events is read")
    func sources() throws {
        #expect(try parse("").source == .hep)
        #expect(try parse(#", "source": "hep""#).source == .hep)
        let configuration = try parse(
            #", "source": "dialog_events", "sip": {\#(Self.sipBlock), "dialog_events": {"extensions": ["1001", "1002"]}}"#
        )
        #expect(configuration.source == .dialogEvents)
        #expect(configuration.sip?.dialogEvents?.extensions == ["1001", "1002"])
    }

    private static let sipBlock =
        #""server": "192.0.2.10:5060", "username": "ringlog", "password_file": "/etc/ringlog/sip""#

    @Test(
        "mistakes name the key",
        arguments: [
            (#", "source": "sip""#, "source"), (#", "sorce": "hep""#, "sorce"),
            (#", "source": "dialog_events""#, "sip"),
            (#", "source": "dialog_events", "sip": {"# + sipBlock + "}", "sip.dialog_events"),
            (
                #", "source": "dialog_events", "sip": {"# + sipBlock + #", "dialog_events": {"extensions": []}}"#,
                "sip.dialog_events.extensions"
            ),
        ] as [(String, String)])
    func mistakes(extra: String, key: String) {
        let error = #expect(throws: ConfigurationError.self) { try parse(extra) }
        #expect(error?.key == key)
    }

    @Test("the message of a missing dialog_events block says what to add")
    func missingBlockMessage() {
        let error = #expect(throws: ConfigurationError.self) {
            try parse(#", "source": "dialog_events", "sip": {\#(Self.sipBlock)}"#)
        }
        #expect(error?.problem.contains(#""dialog_events": {"extensions": ["1001", "1002"]}"#) == true)
    }
}
