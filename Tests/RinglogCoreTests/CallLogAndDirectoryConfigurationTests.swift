import Foundation
import RinglogCore
import Testing

@Suite("Tenant configuration: call_logs and directory blocks")
struct CallLogAndDirectoryConfigurationTests {
    private func parse(_ blocks: String) throws -> TenantConfiguration {
        let text = """
            {"tenant": "acme", "state_dir": "/var/lib/ringlog/acme",
             "pipedrive": {"base_url": "https://acme.pipedrive.com", "api_token_file": "/etc/ringlog/acme.token"}
             \(blocks)}
            """
        return try TenantConfiguration(json: try JSONValue(parsing: Data(text.utf8)))
    }

    @Test("without the blocks: default subjects, full notes, a call-back activity, a sync every 5 minutes")
    func defaults() throws {
        let configuration = try parse("")
        #expect(configuration.callLogs == CallLogSettings())
        #expect(configuration.callLogs.templates.subject == "{direction} call — {result}")
        #expect(configuration.callLogs.includesNote)
        #expect(
            configuration.callLogs.callBack == CallBackSettings(subject: "Call back {number}", activityType: "call"))
        #expect(configuration.directory == DirectorySettings())
        #expect(configuration.directory.syncIntervalSeconds == 300)
        #expect(!configuration.directory.searchOnMiss)
    }

    @Test("every key is read")
    func everyKey() throws {
        let configuration = try parse(
            """
            , "call_logs": {"subject": "{direction}: {result} ({extension})", "missed_subject": "Missed {number}",
                           "note": false,
                           "callback": {"subject": "Soita {number}", "type": "task", "due_in_minutes": 30}},
              "directory": {"sync_interval_seconds": 120, "full_sweep_interval_seconds": 43200, "search_on_miss": true}
            """)
        #expect(
            configuration.callLogs
                == CallLogSettings(
                    templates: CallLogTemplates(
                        subject: "{direction}: {result} ({extension})", missedSubject: "Missed {number}"),
                    includesNote: false,
                    callBack: CallBackSettings(subject: "Soita {number}", activityType: "task", dueInMinutes: 30)))
        #expect(
            configuration.directory
                == DirectorySettings(syncIntervalSeconds: 120, fullSweepIntervalSeconds: 43_200, searchOnMiss: true))
    }

    @Test("the call-back activity can be switched off")
    func callBackOff() throws {
        #expect(try parse(#", "call_logs": {"callback": {"enabled": false}}"#).callLogs.callBack == nil)
    }

    @Test(
        "errors name the key and the fix",
        arguments: [
            (#", "call_logs": {"subjekt": "x"}"#, "call_logs.subjekt: unknown key; did you mean 'subject'?"),
            (
                #", "call_logs": {"subject": "{direction} {who}"}"#,
                "call_logs.subject: has the unknown placeholder {who}; use {direction}, {result}, {number}, {extension}"
            ),
            (
                #", "call_logs": {"missed_subject": "  "}"#,
                "call_logs.missed_subject: must be 1 to 255 characters, e.g. \"{direction} call — {result}\""
            ),
            (#", "call_logs": {"note": "yes"}"#, "call_logs.note: must be true or false, not a string"),
            (
                #", "call_logs": {"callback": {"due_in_minutes": -5}}"#,
                "call_logs.callback.due_in_minutes: must be a whole number from 0 to 10080"
            ),
            (
                #", "call_logs": {"callback": {"type": "call back"}}"#,
                "call_logs.callback.type: must be an activity type's key_string such as \"call\""
            ),
            (
                #", "directory": {"sync_interval_seconds": 5}"#,
                "directory.sync_interval_seconds: must be a whole number from 30 to 86400"
            ),
            (
                #", "directory": {"sync_interval_seconds": 7200, "full_sweep_interval_seconds": 3600}"#,
                "directory.full_sweep_interval_seconds: must not be shorter than sync_interval_seconds (7200)"
            ),
            (
                #", "directory": {"search_on_mis": true}"#,
                "directory.search_on_mis: unknown key; did you mean 'search_on_miss'?"
            ),
        ])
    func refuses(blocks: String, message: String) {
        #expect {
            try parse(blocks)
        } throws: { error in
            let text = (error as? ConfigurationError)?.description
            if text != message { print("got: \(text ?? "nil")") }
            return text == message
        }
    }
}
