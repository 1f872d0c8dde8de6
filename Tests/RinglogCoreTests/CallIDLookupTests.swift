import RinglogCore
import Testing

/// The tracker finds a dialog's leg by its Call-ID: ASCII Call-IDs through their bytes, others as strings.
/// Either way a message belongs to the leg whose Call-ID is equal as a `String`.
@Suite("Call-ID lookup")
struct CallIDLookupTests {
    /// An answered call: INVITE, 200, ACK and BYE, where the messages after the INVITE carry `laterCallID`.
    private func answeredCall(inviteCallID: String, laterCallID: String) -> [CallRecord] {
        var feed = TrackerFeed(site: nil)
        let invite = Dialog(callID: inviteCallID, fromUser: "+358401234567", toUser: "1001")
        let later = Dialog(callID: laterCallID, fromUser: "+358401234567", toUser: "1001")
        feed.send(invite.invite(), at: 0, Net.trunk, Net.pbx)
        feed.send(later.response(200), at: 1, Net.pbx, Net.trunk)
        feed.send(later.inDialog("ACK", cseq: 1), at: 1.01, Net.trunk, Net.pbx)
        feed.send(later.inDialog("BYE", cseq: 2), at: 5, Net.trunk, Net.pbx)
        feed.advance(to: 60)
        return feed.finish()
    }

    @Test(
        "a Call-ID canonically equal to the leg's finds it, ASCII or not",
        arguments: [
            ("plain-1@host", "plain-1@host"),
            ("kelvin-\u{212A}@host", "kelvin-K@host"),  // KELVIN SIGN is canonically K
            ("kelvin-K@host", "kelvin-\u{212A}@host"),
            ("q\u{037E}1@host", "q;1@host"),  // GREEK QUESTION MARK is canonically ;
            ("caf\u{E9}@host", "cafe\u{301}@host"),  // é precomposed and decomposed
        ])
    func canonicalEquality(invite: String, later: String) throws {
        let records = answeredCall(inviteCallID: invite, laterCallID: later)
        try #require(records.count == 1)
        #expect(records[0].outcome == .answered)
        #expect(records[0].complete)
        #expect(abs(records[0].talkSeconds - 4) < 0.01)
    }

    @Test("a different Call-ID is a different dialog")
    func differentCallID() {
        let records = answeredCall(inviteCallID: "one@host", laterCallID: "kelvin-\u{212A}@host")
        // The INVITE's leg never sees an answer or an end; the others start no leg of their own.
        #expect(records.map(\.outcome) == [.missed])
        #expect(records.map(\.complete) == [false])
    }

    @Test("many interleaved ASCII and non-ASCII dialogs opening and closing each end once")
    func interleavedDialogs() {
        var feed = TrackerFeed(site: nil)
        let count = 300
        for index in 0..<count {
            let callID = index % 3 == 0 ? "caf\u{E9}-\(index)@host" : "call-\(index)@host"
            let call = Dialog(callID: callID, fromUser: "+35840\(1_000_000 + index)", toUser: "1001")
            let start = Double(index) * 0.1
            feed.send(call.invite(), at: start, Net.trunk, Net.pbx)
            feed.send(call.response(200), at: start + 0.05, Net.pbx, Net.trunk)
            // Calls end in a different order than they start, so legs leave the table from the middle.
            feed.send(call.inDialog("BYE", cseq: 2), at: start + 1 + Double(index % 7), Net.trunk, Net.pbx)
        }
        let records = feed.finish()
        #expect(records.count == count)
        #expect(records.allSatisfy { $0.outcome == .answered && $0.complete })
        #expect(Set(records.map(\.callID)).count == count)
    }
}
