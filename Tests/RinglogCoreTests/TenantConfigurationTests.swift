import Foundation
import RinglogCore
import Testing

@Suite("Tenant configuration")
struct TenantConfigurationTests {
    private func parse(_ text: String) throws -> TenantConfiguration {
        try TenantConfiguration(json: try JSONValue(parsing: Data(text.utf8)))
    }

    private let minimal = """
        {"tenant": "acme", "state_dir": "/var/lib/ringlog/acme",
         "pipedrive": {"base_url": "https://acme.pipedrive.com/", "api_token_file": "/etc/ringlog/acme.token"}}
        """

    @Test("a minimal file gets the documented defaults")
    func defaults() throws {
        let configuration = try parse(minimal)
        #expect(configuration.tenant == "acme")
        #expect(configuration.region == .finland)
        #expect(configuration.logLevel == .info)
        #expect(configuration.pipedrive.baseURL == "https://acme.pipedrive.com")
        #expect(configuration.pipedrive.credentials == .apiToken(.file(path: "/etc/ringlog/acme.token")))
        #expect(configuration.hep.listen == TransportEndpoint(address: "127.0.0.1", port: 9060))
        #expect(configuration.site.isEmpty)
        #expect(configuration.policy == CallPolicy(unmappedExtension: .skip, unknownCaller: .logWithoutPerson))
        #expect(configuration.inlineSecretKeys.isEmpty)
    }

    @Test("every fixed key is read")
    func fullFile() throws {
        let configuration = try parse(
            """
            {"tenant": "acme", "region": "se", "state_dir": "/var/lib/ringlog/acme", "log_level": "debug",
             "pipedrive": {"base_url": "https://acme.pipedrive.com",
                           "oauth": {"client_id": "id1", "client_secret": "s3cret", "redirect_uri": "https://x/cb"}},
             "hep": {"listen": "[::1]:9061", "auth_key": "hep-pass"},
             "site": {"extension_pattern": "1\\\\d{3}", "pbx_addresses": ["192.0.2.10:5060"],
                      "trunk_addresses": ["198.51.100.1:5060"], "outside_line_prefix": "0"},
             "users": {"1001": "Anna@Acme.fi"},
             "policy": {"unmapped_extension": "default_user", "default_user_email": "desk@acme.fi",
                        "unknown_caller": "create_person",
                        "unknown_caller_deal": {"title": "Lead {number}", "pipeline_id": 3, "stage_id": 12}},
             "tracker": {"max_call_age_seconds": 3600, "max_open_calls": 5000, "reorder_window_ms": 250}}
            """)
        #expect(configuration.region == RegionCode("SE"))
        #expect(configuration.logLevel == .debug)
        #expect(configuration.hep.listen == TransportEndpoint(address: "::1", port: 9061))
        #expect(configuration.site.extensionPattern == "1\\d{3}")
        #expect(configuration.site.pbxAddresses == [TransportEndpoint(address: "192.0.2.10", port: 5060)])
        #expect(configuration.site.outsideLinePrefix == "0")
        #expect(configuration.users == ["1001": "anna@acme.fi"])
        #expect(configuration.policy.unmappedExtension == .logUnderDefaultUser(email: "desk@acme.fi"))
        #expect(configuration.policy.unknownCaller == .createPerson(nameTemplate: "Unknown caller {number}"))
        #expect(
            configuration.policy.unknownCallerDeal
                == CallPolicy.UnknownCallerDeal(titleTemplate: "Lead {number}", pipelineID: 3, stageID: 12))
        #expect(
            configuration.tracker
                == TrackerSettings(maximumCallAgeSeconds: 3600, maximumOpenCalls: 5000, reorderWindowMilliseconds: 250))
        #expect(configuration.inlineSecretKeys == ["pipedrive.oauth.client_secret", "hep.auth_key"])
    }

    @Test(
        "errors name the key and the fix",
        arguments: [
            (#"{"state_dir": "/s", "pipedrive": {}}"#, #"tenant: is missing; add it, e.g. "tenant": "acme""#),
            (
                #"{"tenant": "a b", "state_dir": "/s"}"#,
                "tenant: 'a b' may hold only letters a-z, A-Z, digits, '-' and '_' (at most 64)"
            ),
            (#"{"tenant": "a", "state_dir": "rel"}"#, "state_dir: must be an absolute path, e.g. /var/lib/ringlog/a"),
            (
                #"{"tenant": "a", "state_dir": "/s", "pipedrive": {"base_url": "https://a.pipedrive.com", "api_token": "t"}, "policy": {"unknown_caller_deal": {}}}"#,
                #"policy.unknown_caller_deal: a deal is created only with a new person: set policy.unknown_caller to "create_person" or remove this block"#
            ),
            (
                #"{"tenant": "a", "state_dir": "/s", "pipedrive": {"base_url": "https://a.pipedrive.com", "api_token": "t"}, "policy": {"unknown_caller": "create_person", "unknown_caller_deal": {"stage": 2}}}"#,
                "policy.unknown_caller_deal.stage: unknown key; the keys here are: title, pipeline_id, stage_id"
            ),
            (
                #"{"tenant": "a", "state_dir": "/s", "pipedrive": {"base_url": "https://a.pipedrive.com", "api_token": "t"}, "hep": {"listn": "x"}}"#,
                "hep.listn: unknown key; did you mean 'listen'?"
            ),
            (
                #"{"tenant": "a", "state_dir": "/s", "pipedrive": {"base_url": "https://a.pipedrive.com", "api_token": "t"}, "hep": {"listen": "127.0.0.1"}}"#,
                "hep.listen: '127.0.0.1' is not host:port; write e.g. 127.0.0.1:9060 or [::1]:9060"
            ),
            (
                #"{"tenant": "a", "state_dir": "/s", "pipedrive": {"base_url": "ftp://x"}}"#,
                "pipedrive.base_url: must be an http(s) URL such as https://acme.pipedrive.com"
            ),
            (
                #"{"tenant": "a", "state_dir": "/s", "pipedrive": {"base_url": "https://a.pipedrive.com"}}"#,
                "pipedrive.api_token_file: is missing: give a personal API token (api_token_file, or api_token) or an oauth block"
            ),
            (
                #"{"tenant": "a", "state_dir": "/s", "pipedrive": {"base_url": "https://a.pipedrive.com", "api_token": "t", "api_token_file": "/t"}}"#,
                "pipedrive.api_token: is given twice, inline and as api_token_file; keep only one"
            ),
            (
                #"{"tenant": "a", "state_dir": "/s", "pipedrive": {"base_url": "https://a.pipedrive.com", "api_token": "t"}, "users": {"1001": "nobody"}}"#,
                "users.1001: 'nobody' is not an e-mail address; write the user's Pipedrive login"
            ),
            (
                #"{"tenant": "a", "state_dir": "/s", "pipedrive": {"base_url": "https://a.pipedrive.com", "api_token": "t"}, "site": {"pbx_addresses": ["pbx"]}}"#,
                "site.pbx_addresses[0]: 'pbx' is not host:port; write e.g. 192.0.2.10:5060"
            ),
            (
                #"{"tenant": "a", "state_dir": "/s", "pipedrive": {"base_url": "https://a.pipedrive.com", "api_token": "t"}, "policy": {"unknown_caller": "ignore"}}"#,
                "policy.unknown_caller: 'ignore' is not one of: skip, log_without_person, create_person"
            ),
            (
                #"{"tenant": "a", "state_dir": "/s", "pipedrive": {"base_url": "https://a.pipedrive.com", "api_token": "t"}, "tracker": {"max_open_calls": 1.5}}"#,
                "tracker.max_open_calls: must be a whole number from 100 to 10000000"
            ),
            (
                #"{"tenant": "a", "state_dir": "/s", "pipedrive": {"base_url": "https://a.pipedrive.com", "api_token": "t"}, "tracker": {"reorder_window_ms": 60000}}"#,
                "tracker.reorder_window_ms: must be a whole number from 0 to 10000"
            ),
            (#"[1]"#, "must be a JSON object ({ … }), not an array"),
        ])
    func refuses(text: String, message: String) {
        #expect {
            try parse(text)
        } throws: { error in
            (error as? ConfigurationError)?.description == message
        }
    }

    @Test("a broken extension pattern is refused with an example")
    func badPattern() {
        #expect {
            try parse(
                #"{"tenant": "a", "state_dir": "/s", "pipedrive": {"base_url": "https://a.pipedrive.com", "api_token": "t"}, "site": {"extension_pattern": "1(\\d"}}"#
            )
        } throws: { error in
            let text = (error as? ConfigurationError)?.description ?? ""
            return text.hasPrefix("site.extension_pattern: '1(\\d' is not a valid regular expression")
        }
    }

    @Test("secrets never show in descriptions")
    func secretsAreRedacted() throws {
        let secret = Secret("tok-123")
        #expect("\(secret)" == "<redacted>")
        #expect(String(reflecting: secret) == "<redacted>")
        let configuration = try parse(
            minimal.replacingOccurrences(
                of: "\"api_token_file\": \"/etc/ringlog/acme.token\"", with: "\"api_token\": \"tok-123\""))
        #expect(!"\(configuration)".contains("tok-123"))
    }

    @Test(
        "host and port forms",
        arguments: [
            ("127.0.0.1:9060", "127.0.0.1", 9060), ("[::1]:5060", "::1", 5060),
            ("pbx.example.com:5080", "pbx.example.com", 5080),
        ])
    func hostPort(text: String, host: String, port: Int) {
        #expect(TransportEndpoint(parsing: text) == TransportEndpoint(address: host, port: UInt16(port)))
        #expect(TransportEndpoint(parsing: text)?.description == text)
    }

    @Test(
        "malformed host and port",
        arguments: ["127.0.0.1", ":9060", "host:0", "host:70000", "::1:5060", "[::1]5060", "a b:1"])
    func badTransportEndpoint(text: String) {
        #expect(TransportEndpoint(parsing: text) == nil)
    }
}
