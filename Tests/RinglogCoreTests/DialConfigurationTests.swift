import Foundation
import RinglogCore
import Testing

@Suite("Dial: the sip block and the per-user dial file")
struct DialConfigurationTests {
    private func json(_ text: String) throws -> JSONValue { try JSONValue(parsing: Data(text.utf8)) }

    private func tenant(sip: String) throws -> TenantConfiguration {
        try TenantConfiguration(
            json: try json(
                """
                {"tenant": "acme", "state_dir": "/var/lib/ringlog/acme",
                 "pipedrive": {"base_url": "https://acme.pipedrive.com", "api_token_file": "/etc/ringlog/acme.token"},
                 "site": {"extension_pattern": "1\\\\d{3}", "outside_line_prefix": "0"},
                 "sip": \(sip)}
                """))
    }

    @Test("a minimal sip block gets the documented defaults")
    func defaults() throws {
        let configuration = try tenant(
            sip: #"{"server": "192.0.2.10:5060", "username": "ringlog", "password_file": "/etc/ringlog/acme.sip"}"#)
        let sip = try #require(configuration.sip)
        #expect(sip.server == TransportEndpoint(address: "192.0.2.10", port: 5060))
        #expect(sip.domain == "192.0.2.10")
        #expect(sip.password == .file(path: "/etc/ringlog/acme.sip"))
        #expect(sip.answerTimeoutSeconds == 30)
        #expect(sip.dialFormat == .e164)
        #expect(sip.localAddress == nil)
        #expect(sip.dialogEvents == nil)
        #expect(sip.resolvedAutoAnswerHeaders.first == "Call-Info: <sip:192.0.2.10>;answer-after=0")
        #expect(configuration.inlineSecretKeys.isEmpty)
        let setup = try #require(configuration.dialSetup(fromExtension: "1001"))
        #expect(setup.extensionURI == "sip:1001@192.0.2.10")
        #expect(setup.plan.dialPrefix == nil)  // E.164 numbers get no outside-line prefix
        #expect(setup.plan.extensionPattern == #"1\d{3}"#)
    }

    @Test("every sip key is read; the national format takes the site's outside-line prefix")
    func allKeys() throws {
        let configuration = try tenant(
            sip: """
                {"server": "pbx.acme.fi:5080", "domain": "acme.fi", "username": "ringlog", "password": "pw",
                 "local_address": "192.0.2.20", "local_port": 5070, "auto_answer_headers": [],
                 "answer_timeout_seconds": 45, "dial_format": "national",
                 "dialog_events": {"extensions": ["1001", "1002"], "subscription_expires": 300}}
                """)
        let sip = try #require(configuration.sip)
        #expect(sip.domain == "acme.fi")
        #expect(sip.password == .inline(Secret("pw")))
        #expect(sip.localAddress == "192.0.2.20")
        #expect(sip.localPort == 5070)
        #expect(sip.autoAnswerHeaders.isEmpty)
        #expect(sip.answerTimeoutSeconds == 45)
        #expect(sip.dialogEvents == DialogEventSettings(extensions: ["1001", "1002"], subscriptionExpiresSeconds: 300))
        #expect(configuration.inlineSecretKeys == ["sip.password"])
        #expect(configuration.dialSetup(fromExtension: "1001")?.plan.dialPrefix == "0")
    }

    @Test(
        "mistakes name the key and the fix",
        arguments: [
            (#"{"username": "r", "password": "p"}"#, "sip.server: is missing"),
            (#"{"server": "pbx", "username": "r", "password": "p"}"#, "sip.server: 'pbx' is not host:port"),
            (#"{"server": "pbx:5060", "username": "r"}"#, "sip.password_file: is missing"),
            (#"{"server": "pbx:5060", "username": "r", "password": "p", "password_file": "/x"}"#, "given twice"),
            (#"{"server": "pbx:5060", "username": "a b", "password": "p"}"#, "sip.username: must be"),
            (
                #"{"server": "pbx:5060", "username": "r", "password": "p", "local_address": "me"}"#,
                "sip.local_address: 'me' is not an IP address"
            ),
            (
                #"{"server": "pbx:5060", "username": "r", "password": "p", "auto_answer_headers": ["nonsense"]}"#,
                "sip.auto_answer_headers[0]"
            ),
            (
                #"{"server": "pbx:5060", "username": "r", "password": "p", "dial_format": "local"}"#,
                "sip.dial_format: 'local' is not one of: e164, national"
            ),
            (
                #"{"server": "pbx:5060", "username": "r", "password": "p", "answer_timeout_seconds": 1}"#,
                "sip.answer_timeout_seconds: must be a whole number from 5 to 300"
            ),
            (
                #"{"server": "pbx:5060", "username": "r", "password": "p", "dialog_events": {}}"#,
                "sip.dialog_events.extensions: is missing"
            ),
            (#"{"server": "pbx:5060", "username": "r", "password": "p", "sever": 1}"#, "did you mean 'server'"),
        ])
    func mistakes(sip: String, expected: String) {
        #expect {
            try tenant(sip: sip)
        } throws: { error in
            "\(error)".contains(expected)
        }
    }

    @Test("the desktop file: sip block, extension, region, prefix and pattern")
    func desktopFile() throws {
        let configuration = try DesktopDialConfiguration(
            json: try json(
                """
                {"sip": {"server": "127.0.0.1:25060", "username": "1001", "password": "lab-1001",
                         "dial_format": "national"},
                 "extension": "1001", "region": "fi", "outside_line_prefix": "0", "extension_pattern": "1\\\\d{3}"}
                """))
        #expect(configuration.extensionNumber == "1001")
        #expect(configuration.region == .finland)
        #expect(configuration.inlineSecretKeys == ["sip.password"])
        let setup = configuration.dialSetup
        #expect(setup.fromExtension == "1001")
        #expect(setup.extensionURI == "sip:1001@127.0.0.1")
        #expect(
            setup.plan
                == DialPlan(
                    outsideLinePrefix: "0", dialPrefix: "0", numberFormat: .national,
                    extensionPattern: #"1\d{3}"#))
    }

    @Test(
        "desktop file mistakes",
        arguments: [
            (#"{"extension": "1001"}"#, "sip: is missing"),
            (#"{"sip": {"server": "pbx:5060", "username": "u", "password": "p"}}"#, "extension: is missing"),
            (
                #"{"sip": {"server": "pbx:5060", "username": "u", "password": "p"}, "extension": "10 01"}"#,
                "extension: '10 01' is not an extension"
            ),
            (
                #"{"sip": {"server": "pbx:5060", "username": "u", "password": "p", "dialog_events": {}}, "extension": "1"}"#,
                "sip.dialog_events: unknown key"
            ),
            (
                #"{"sip": {"server": "pbx:5060", "username": "u", "password": "p"}, "extension": "1", "tenant": "x"}"#,
                "tenant: unknown key"
            ),
        ])
    func desktopMistakes(text: String, expected: String) {
        #expect {
            try DesktopDialConfiguration(json: try json(text))
        } throws: { error in
            "\(error)".contains(expected)
        }
    }
}
