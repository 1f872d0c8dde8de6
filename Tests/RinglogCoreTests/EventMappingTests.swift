import RinglogCore
import Testing

@Suite("Event → activity mapping")
struct EventMappingTests {
    private let mapper = EventActivityMapper(activityTypes: [.chat: "chat", .ticket: "email"])
    private let target = EventTarget(ownerID: 3, personID: 10, organizationID: 20)

    private func event(_ line: String) throws -> ContactEvent {
        try ContactEventParser.parse(line: Array(line.utf8))
    }

    @Test("a ticket becomes a done e-mail activity with the message type, sender, subject, content and link")
    func ticket() throws {
        let ticket = try event(
            #"{"kind":"ticket","id":"T-9","direction":"incoming","time":"2026-11-20T16:05:09+02:00","agent_email":"anna@example.com","email":"liisa@example.fi","subject":"Invoice <42>","content":"Hello & thanks","source":"e-mail","link":"https://desk.example.com/t/9?a=1&b=2"}"#
        )
        let draft = mapper.draft(for: ticket, target: target)
        #expect(draft.type == "email")
        #expect(draft.subject == "Invoice <42>")
        #expect(draft.done)
        #expect(draft.ownerID == 3 && draft.personID == 10 && draft.organizationID == 20)
        #expect(draft.dueDate == "2026-11-20")
        #expect(draft.dueTime == "14:05")
        #expect(draft.duration == nil)
        #expect(draft.note.contains("<b>Incoming e-mail</b>"))
        #expect(draft.note.contains("Date: 2026-11-20 14:05 UTC"))
        #expect(draft.note.contains("Agent: anna@example.com"))
        #expect(draft.note.contains("From: liisa@example.fi"))
        #expect(draft.note.contains("Subject: Invoice &lt;42&gt;"))
        #expect(draft.note.contains("<p>Hello &amp; thanks</p>"))
        #expect(draft.note.contains(#"<a href="https://desk.example.com/t/9?a=1&amp;b=2">"#))
        #expect(draft.note.hasSuffix("<p>ringlog-event:ticket:T-9</p>"))
        #expect(draft.marker == "ringlog-event:ticket:T-9")
    }

    @Test("an outgoing ticket is from the agent to the contact; no subject gives a readable one")
    func outgoingTicket() throws {
        let ticket = try event(
            #"{"kind":"ticket","id":"T-10","direction":"outgoing","time":"2026-11-20T14:05:09Z","agent_email":"anna@example.com","email":"liisa@example.fi"}"#
        )
        let draft = mapper.draft(for: ticket, target: target)
        #expect(draft.subject == "E-mail to liisa@example.fi")
        #expect(draft.note.contains("From: anna@example.com<br>To: liisa@example.fi"))
    }

    @Test("a chat has subject, date, source, duration, agent, queue, content and link")
    func chat() throws {
        let chat = try event(
            #"{"kind":"chat","id":"C-1","direction":"incoming","time":"2026-11-20T14:05:09Z","agent_email":"anna@example.com","phone":"+358401234567","source":"messenger","queue":"support","duration_seconds":3725,"content":"Where is my parcel?","link":"https://chat.example.com/1"}"#
        )
        let draft = mapper.draft(for: chat, target: EventTarget(ownerID: 3, personID: nil, organizationID: nil))
        #expect(draft.type == "chat")
        #expect(draft.subject == "Chat (messenger)")
        #expect(draft.duration == "01:03")
        #expect(draft.personID == nil)
        for fragment in [
            "Date: 2026-11-20 14:05 UTC", "Source: messenger", "Duration: 1 h 02 min", "Agent: anna@example.com",
            "Queue: support", "Contact: +358401234567", "<p>Where is my parcel?</p>",
        ] {
            #expect(draft.note.contains(fragment), "\(fragment)")
        }
    }

    @Test(
        "durations: minutes rounded up, capped at 23:59",
        arguments: [
            (0, "00:00"), (1, "00:01"), (60, "00:01"), (61, "00:02"), (3600, "01:00"), (200_000, "23:59"),
        ] as [(Int, String)])
    func durations(seconds: Int, text: String) {
        #expect(EventActivityMapper.activityDuration(seconds) == text)
    }

    @Test("every free text is cut to 256 characters, emoji kept whole")
    func longTexts() throws {
        let long = String(repeating: "👍🏽", count: 400)
        let chat = try event(
            #"{"kind":"chat","id":"C-2","direction":"incoming","time":"2026-11-20T14:05:09Z","agent_email":"a@b.fi","email":"c@d.fi","subject":"\#(long)","content":"\#(long)","queue":"\#(long)"}"#
        )
        let draft = mapper.draft(for: chat, target: target)
        #expect(draft.subject.count == 256)
        #expect(draft.note.contains("<p>" + String(repeating: "👍🏽", count: 255) + "…</p>"))
        #expect(draft.note.contains("Queue: " + String(repeating: "👍🏽", count: 255) + "…<br>"))
        #expect(!draft.note.contains(String(repeating: "👍🏽", count: 256)))
    }

    @Test("a subject is one line")
    func subjectLine() throws {
        let ticket = try event(
            #"{"kind":"ticket","id":"T-11","direction":"incoming","time":"2026-11-20T14:05:09Z","agent_email":"a@b.fi","email":"c@d.fi","subject":"Re: order\r\n\tnumber 5"}"#
        )
        #expect(mapper.draft(for: ticket, target: target).subject == "Re: order  number 5")
    }

    @Test("without configured types: email for tickets, task for chats")
    func defaultTypes() throws {
        let chat = try event(
            #"{"kind":"chat","id":"C-3","direction":"outgoing","time":"2026-11-20T14:05:09Z","agent_email":"a@b.fi","email":"c@d.fi"}"#
        )
        #expect(EventActivityMapper(activityTypes: [:]).draft(for: chat, target: target).type == "task")
    }
}

@Suite("Batch pacing")
struct EventPacingTests {
    @Test("10,000 events on a Lite API token: 16 per 2 s, 480 per minute, 50,000 tokens")
    func tenThousand() {
        let plan = BatchPacingPlan(eventCount: 10_000)
        #expect(plan.interval == 125)
        #expect(plan.eventsPerMinute == 480)
        #expect(plan.busiestWindow == 16)
        #expect(plan.tokens == 50_000)
        #expect(plan.durationMilliseconds == 9_999 * 125)
    }

    @Test("no window of 2 s ever holds more than the allowed requests", arguments: [1, 7, 16, 20, 41, 120])
    func windowBound(burst: Int) {
        let limits = BatchPacingPlan.Limits(burstLimit: burst, reservedPerWindow: burst / 5)
        let plan = BatchPacingPlan(eventCount: 500, limits: limits)
        let offsets = (0..<plan.eventsInBatch).map(plan.sendOffset(ofEvent:))
        var busiest = 0
        var start = 0
        for end in offsets.indices {
            while offsets[end] - offsets[start] >= limits.windowMilliseconds { start += 1 }
            busiest = max(busiest, end - start + 1)
        }
        #expect(busiest <= limits.requestsPerWindow)
        #expect(busiest == plan.busiestWindow)
    }

    @Test("the token budget defers what it cannot pay for")
    func budget() {
        let plan = BatchPacingPlan(eventCount: 10_000, tokenBudget: 30_000)
        #expect(plan.eventsInBatch == 6_000)
        #expect(plan.eventsDeferred == 4_000)
        #expect(BatchPacingPlan(eventCount: 3, tokenBudget: -5).eventsInBatch == 0)
    }

    @Test("the pacer books one slot per request, never in the past")
    func pacer() {
        var pacer = RequestPacer(interval: 125)
        #expect(pacer.reserveSlot(now: 1_000) == 1_000)
        #expect(pacer.reserveSlot(now: 1_000) == 1_125)
        #expect(pacer.reserveSlot(now: 1_100) == 1_250)
        #expect(pacer.reserveSlot(now: 5_000) == 5_000)
    }
}
