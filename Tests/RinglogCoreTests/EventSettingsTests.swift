import Foundation
import RinglogCore
import Testing

@Suite("Tenant configuration: events block")
struct EventSettingsTests {
    private func parse(events: String) throws -> TenantConfiguration {
        let text = """
            {"tenant": "acme", "state_dir": "/var/lib/ringlog/acme",
             "pipedrive": {"base_url": "https://acme.pipedrive.com", "api_token_file": "/etc/ringlog/acme.token"}
             \(events.isEmpty ? "" : ", \"events\": \(events)")}
            """
        return try TenantConfiguration(json: try JSONValue(parsing: Data(text.utf8)))
    }

    private func problem(events: String) -> ConfigurationError? {
        do {
            _ = try parse(events: events)
            return nil
        } catch let error as ConfigurationError {
            return error
        } catch {
            return ConfigurationError(key: "", "\(error)")
        }
    }

    @Test("without the block: spool and rejected file in the state directory, 30 minutes, email and task")
    func defaults() throws {
        let events = try parse(events: "").events
        #expect(events.spoolDirectory == "/var/lib/ringlog/acme/spool")
        #expect(events.rejectedFile == "/var/lib/ringlog/acme/rejected.jsonl")
        #expect(events.batchMinutes == 30)
        #expect(events.activityTypes == [.ticket: "email", .chat: "task"])
        #expect(events.unknownContact == .logWithoutPerson)
    }

    @Test("every key is read")
    func full() throws {
        let events = try parse(
            events: """
                {"// spool_dir": "comment", "spool_dir": "/srv/spool/", "batch_minutes": 5,
                 "activity_types": {"chat": "whatsapp_chat", "ticket": "email"},
                 "unknown_contact": "create_person", "unknown_contact_name": "Web visitor {contact}",
                 "rejected_file": "/var/log/ringlog/rejected.jsonl"}
                """
        ).events
        #expect(events.spoolDirectory == "/srv/spool")
        #expect(events.batchMinutes == 5)
        #expect(events.activityTypes == [.chat: "whatsapp_chat", .ticket: "email"])
        #expect(events.unknownContact == .createPerson(nameTemplate: "Web visitor {contact}"))
        #expect(events.rejectedFile == "/var/log/ringlog/rejected.jsonl")
    }

    @Test(
        "mistakes name the key",
        arguments: [
            (#"{"spool": "/x"}"#, "events.spool"), (#"{"spool_dir": "spool"}"#, "events.spool_dir"),
            (#"{"batch_minutes": 0}"#, "events.batch_minutes"),
            (#"{"activity_types": {"sms": "x"}}"#, "events.activity_types.sms"),
            (#"{"activity_types": {"chat": "Chat type"}}"#, "events.activity_types.chat"),
            (#"{"unknown_contact": "ignore"}"#, "events.unknown_contact"),
            (
                #"{"unknown_contact": "create_person", "unknown_contact_name": "Visitor"}"#,
                "events.unknown_contact_name"
            ),
            (#"{"rejected_file": "rejected.jsonl"}"#, "events.rejected_file"), (#"[]"#, "events"),
        ] as [(String, String)])
    func mistakes(events: String, key: String) {
        #expect(problem(events: events)?.key == key)
    }
}
