import RinglogCore
import Testing

@Suite("Contact event parsing")
struct EventParserTests {
    private func parse(_ line: String) throws(ContactEventError) -> ContactEvent {
        try ContactEventParser.parse(line: Array(line.utf8))
    }

    private func reason(_ line: String) -> ContactEventError? {
        do {
            _ = try parse(line)
            return nil
        } catch {
            return error
        }
    }

    @Test("a full chat is read field by field")
    func fullChat() throws {
        let event = try parse(
            #"{"kind":"chat","id":"C-1","direction":"incoming","time":"2026-11-20T16:05:09+02:00","agent_email":"Anna@Example.com","phone":"040 123 4567","email":"Liisa@Example.FI","subject":"Delivery","content":"Hi","source":"widget","queue":"sales","duration_seconds":125,"link":"https://desk.example.com/c/1"}"#
        )
        #expect(event.kind == .chat)
        #expect(event.id == "C-1")
        #expect(event.direction == .incoming)
        #expect(event.timestamp == 1_795_183_509)
        #expect(event.agentEmail == "anna@example.com")
        #expect(event.email == "liisa@example.fi")
        #expect(event.phone == "040 123 4567")
        #expect(event.durationSeconds == 125)
        #expect(event.key == "chat:C-1")
        #expect(event.marker == "ringlog-event:chat:C-1")
    }

    @Test("the canonical encoding reads back to the same event")
    func roundTrip() throws {
        let event = try parse(
            #"{"kind":"ticket","id":"T \"1\"","direction":"outgoing","time":"2026-01-02T03:04:05Z","agent_email":"a@b.fi","email":"c@d.fi","content":"line 1\nline 2 😀","link":null}"#
        )
        let again = try ContactEventParser.parse(line: ContactEventParser.encode(event))
        #expect(again == event)
        #expect(ContactEventParser.encode(again) == ContactEventParser.encode(event))
    }

    @Test(
        "refused lines name the field and the fix",
        arguments: [
            (#"not json"#, nil, "not valid JSON"),
            (#"[1]"#, nil, "must be a JSON object"),
            (
                #"{"id":"1","direction":"incoming","time":"2026-01-02T03:04:05Z","agent_email":"a@b.fi","email":"c@d.fi"}"#,
                "kind", "is missing"
            ),
            (
                #"{"kind":"call","id":"1","direction":"incoming","time":"2026-01-02T03:04:05Z","agent_email":"a@b.fi","email":"c@d.fi"}"#,
                "kind", "not chat or ticket"
            ),
            (
                #"{"kind":"chat","id":7,"direction":"incoming","time":"2026-01-02T03:04:05Z","agent_email":"a@b.fi","email":"c@d.fi"}"#,
                "id", "must be a string"
            ),
            (
                #"{"kind":"chat","id":"1","direction":"in","time":"2026-01-02T03:04:05Z","agent_email":"a@b.fi","email":"c@d.fi"}"#,
                "direction", "not incoming or outgoing"
            ),
            (
                #"{"kind":"chat","id":"1","direction":"incoming","time":"2026-01-02 03:04","agent_email":"a@b.fi","email":"c@d.fi"}"#,
                "time", "RFC 3339"
            ),
            (
                #"{"kind":"chat","id":"1","direction":"incoming","time":"2026-01-02T03:04:05","agent_email":"a@b.fi","email":"c@d.fi"}"#,
                "time", "with an offset"
            ),
            (
                #"{"kind":"chat","id":"1","direction":"incoming","time":"2026-02-30T03:04:05Z","agent_email":"a@b.fi","email":"c@d.fi"}"#,
                "time", "RFC 3339"
            ),
            (
                #"{"kind":"chat","id":"1","direction":"incoming","time":"2026-01-02T03:04:05Z","agent_email":"anna","email":"c@d.fi"}"#,
                "agent_email", "not an e-mail address"
            ),
            (
                #"{"kind":"chat","id":"1","direction":"incoming","time":"2026-01-02T03:04:05Z","agent_email":"a@b.fi"}"#,
                "phone", "give the contact's phone or email"
            ),
            (
                #"{"kind":"chat","id":"1","direction":"incoming","time":"2026-01-02T03:04:05Z","agent_email":"a@b.fi","phone":"ask"}"#,
                "phone", "not a phone number"
            ),
            (
                #"{"kind":"ticket","id":"1","direction":"incoming","time":"2026-01-02T03:04:05Z","agent_email":"a@b.fi","email":"c@d.fi","duration_seconds":5}"#,
                "duration_seconds", "chats only"
            ),
            (
                #"{"kind":"chat","id":"1","direction":"incoming","time":"2026-01-02T03:04:05Z","agent_email":"a@b.fi","email":"c@d.fi","duration_seconds":1.5}"#,
                "duration_seconds", "whole number"
            ),
            (
                #"{"kind":"chat","id":"1","direction":"incoming","time":"2026-01-02T03:04:05Z","agent_email":"a@b.fi","email":"c@d.fi","link":"javascript:alert(1)"}"#,
                "link", "http or https"
            ),
            (
                #"{"kind":"chat","id":"1","direction":"incoming","time":"2026-01-02T03:04:05Z","agent_email":"a@b.fi","email":"c@d.fi","agent_mail":"x"}"#,
                "agent_mail", "did you mean 'agent_email'"
            ),
            (
                #"{"kind":"chat","id":"1","direction":"incoming","time":"2026-01-02T03:04:05Z","agent_email":"a@b.fi","email":"c@d.fi","colour":"x"}"#,
                "colour", "the fields are"
            ),
        ] as [(String, String?, String)])
    func refused(line: String, field: String?, fragment: String) {
        let error = reason(line)
        #expect(error?.field == field)
        #expect(error?.problem.contains(fragment) == true, "\(String(describing: error))")
    }

    @Test("ids are at most 200 characters and free of control characters")
    func identifierLimits() {
        let base =
            #"{"kind":"chat","direction":"incoming","time":"2026-01-02T03:04:05Z","agent_email":"a@b.fi","email":"c@d.fi","id":"#
        #expect(reason(base + "\"\(String(repeating: "é", count: 200))\"}") == nil)
        #expect(reason(base + "\"\(String(repeating: "x", count: 201))\"}")?.field == "id")
        #expect(reason(base + #""a\tb"}"#)?.field == "id")
        #expect(reason(base + #""   "}"#)?.problem.contains("empty") == true)
    }
}

@Suite("RFC 3339 times")
struct EventTimeTests {
    @Test(
        "offsets, fractions and dates",
        arguments: [
            ("1970-01-01T00:00:00Z", 0), ("2026-11-20T14:05:09Z", 1_795_183_509),
            ("2026-11-20T16:05:09.999+02:00", 1_795_183_509), ("2026-11-20t14:05:09z", 1_795_183_509),
            ("2024-02-29T23:59:59-01:30", 1_709_256_599), ("1969-12-31T23:59:59Z", -1),
        ] as [(String, Int64)])
    func parses(text: String, seconds: Int64) {
        #expect(RFC3339Time.epochSeconds(text) == seconds)
    }

    @Test(
        "invalid forms are refused",
        arguments: [
            "2026-11-20", "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z",
            "2026-11-20T24:00:00Z", "2026-11-20T10:00:00+2:00", "2026-11-20T10:00:00.Z", "2026-11-20T10:00:00Z ",
        ])
    func refuses(text: String) {
        #expect(RFC3339Time.epochSeconds(text) == nil)
    }

    @Test("UTC date and time for Pipedrive")
    func formats() {
        #expect(RFC3339Time.utcDate(1_795_183_509) == "2026-11-20")
        #expect(RFC3339Time.utcTime(1_795_183_509) == "14:05")
        #expect(RFC3339Time.utcTimestamp(1_709_256_599) == "2024-03-01T01:29:59Z")
        #expect(RFC3339Time.utcDate(-1) == "1969-12-31")
        #expect(RFC3339Time.utcTime(-1) == "23:59")
    }
}
