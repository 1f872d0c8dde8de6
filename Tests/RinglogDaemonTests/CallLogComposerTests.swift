import RinglogCore
import Testing

@Suite("Call log composer")
struct CallLogComposerTests {
    static func record(
        direction: CallDirection = .inbound, outcome: CallOutcome = .answered, from: String? = "+358401234567",
        to: String? = "+35891234567", talk: Double = 42.4
    ) -> CallRecord {
        CallRecord(
            callID: "abc<script>@host", direction: direction, from: from, to: to, extensionNumber: "1001",
            startedAt: CaptureTime(microsecondsSinceEpoch: 1_767_261_600_000_000),
            answeredAt: CaptureTime(microsecondsSinceEpoch: 1_767_261_603_000_000),
            endedAt: CaptureTime(microsecondsSinceEpoch: 1_767_261_645_400_000), ringSeconds: 3, talkSeconds: talk,
            outcome: outcome, complete: true)
    }

    @Test(
        "maps outcomes to Pipedrive's",
        arguments: [
            (CallOutcome.answered, "connected"), (.busy, "busy"), (.missed, "no_answer"), (.declined, "no_answer"),
            (.failed, "no_answer"), (.answeredElsewhere, "no_answer"),
        ])
    func outcome(outcome: CallOutcome, expected: String) {
        let draft = CallLogComposer().draft(for: Self.record(outcome: outcome), userID: 1, choice: nil)
        #expect(draft.outcome == expected)
    }

    @Test("subject templates: answered inbound and missed inbound")
    func subjects() {
        let composer = CallLogComposer()
        #expect(composer.draft(for: Self.record(), userID: 1, choice: nil).subject == "Inbound call — answered")
        let missed = composer.draft(for: Self.record(outcome: .missed, talk: 0), userID: 1, choice: nil)
        #expect(missed.subject == "Missed call from +358401234567")
        let custom = CallLogComposer(templates: CallLogTemplates(subject: "{extension}: {number} {result}"))
        #expect(
            custom.draft(for: Self.record(direction: .outbound), userID: 1, choice: nil).subject
                == "1001: +35891234567 answered")
    }

    @Test("the note escapes what came over SIP and carries the marker")
    func note() {
        let hostile = Self.record(from: "<img src=x onerror=alert(1)>")
        let draft = CallLogComposer().draft(for: hostile, userID: 1, choice: nil)
        #expect(!draft.note.contains("<img"))
        #expect(!draft.note.contains("<script>"))
        #expect(draft.note.contains("&lt;img src=x onerror=alert(1)&gt;"))
        #expect(draft.note.contains(CallLogComposer.marker(forKey: CallLogKey.key(for: hostile))))
        #expect(draft.note.contains("ringlog-call-id: abc&lt;script&gt;@host 2026-01-01T10:00:00.000Z"))
    }

    @Test("times, duration and links")
    func fields() {
        let choice = SharedNumberPolicy.Choice(
            personID: 7, organizationID: 3, dealID: 9, rule: .openDealOfUser, otherCandidates: [8, 12])
        let draft = CallLogComposer().draft(for: Self.record(), userID: 2, choice: choice)
        #expect(draft.startMilliseconds == 1_767_261_600_000)
        #expect(draft.endMilliseconds == 1_767_261_645_400)
        #expect(draft.durationSeconds == 42)
        #expect(draft.userID == 2 && draft.personID == 7 && draft.organizationID == 3 && draft.dealID == 9)
        #expect(draft.note.contains("#8, #12"))
    }

    @Test("the external party: inbound from, outbound to, internal none")
    func externalNumber() {
        #expect(CallLogComposer.externalNumber(of: Self.record(direction: .inbound)) == "+358401234567")
        #expect(CallLogComposer.externalNumber(of: Self.record(direction: .outbound)) == "+35891234567")
        #expect(CallLogComposer.externalNumber(of: Self.record(direction: .internal)) == nil)
    }

    @Test("Prometheus text names every state")
    func prometheus() {
        let status = DaemonStatus(
            running: true, callsSeen: 5, logged: 3, pending: 1, failed: 1, tokensByEndpoint: ["addCallLog": 30],
            unmappedExtensions: ["1009": 2])
        let text = status.prometheusText
        #expect(text.contains("ringlog_calls{state=\"logged\"} 3"))
        #expect(text.contains("ringlog_pipedrive_tokens_spent{endpoint=\"addCallLog\"} 30"))
        #expect(text.contains("ringlog_unmapped_extension_calls{extension=\"1009\"} 2"))
        #expect(text.contains("ringlog_up 1"))
    }
}
