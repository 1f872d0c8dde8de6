import RinglogCore
import Testing

@Suite("Dialog events: parsing dialog-info bodies")
struct DialogEventParserTests {
    /// A body as Kamailio's pua_dialoginfo sends it (lab recording, ringing call on 1001).
    static let kamailioEarly = """
        <?xml version="1.0"?>
        <dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="7" state="full" entity="sip:1001@127.0.0.1">
          <dialog id="padi-6b0115c0-4955-3" call-id="1-18854@127.0.0.1" local-tag="6a5b2fe3a38e3de5" remote-tag="18854-1" direction="recipient">
            <state>early</state>
            <remote>
              <identity>sip:+4930111111@127.0.0.1</identity>
              <target uri="sip:+4930111111@127.0.0.1:15091"/>
            </remote>
            <local>
              <identity>sip:1001@127.0.0.1</identity>
              <target uri="sip:1001-0x56409c8c4cc0@127.0.0.1:15110"/>
            </local>
          </dialog>
          <dialog id="padi-6b0115c0-4955-2" call-id="1-18853@127.0.0.1" direction="recipient">
            <state>terminated</state>
            <remote><identity>sip:+4930111111@127.0.0.1</identity></remote>
            <local><identity>sip:1001@127.0.0.1</identity></local>
          </dialog>
        </dialog-info>
        """

    @Test("a Kamailio body: version, full state, entity, every dialog with call-id, tags, direction, parties")
    func kamailio() throws {
        let info = try DialogInfo(parsing: Self.kamailioEarly)
        #expect(info.version == 7)
        #expect(info.completeness == .full)
        #expect(info.entity == "sip:1001@127.0.0.1")
        #expect(info.dialogs.count == 2)
        let ringing = info.dialogs[0]
        #expect(ringing.id == "padi-6b0115c0-4955-3")
        #expect(ringing.callID == "1-18854@127.0.0.1")
        #expect(ringing.localTag == "6a5b2fe3a38e3de5")
        #expect(ringing.remoteTag == "18854-1")
        #expect(ringing.direction == .recipient)
        #expect(ringing.state == .early)
        #expect(ringing.remote?.identity == "sip:+4930111111@127.0.0.1")
        #expect(ringing.remote?.userPart == "+4930111111")
        #expect(ringing.remote?.target == "sip:+4930111111@127.0.0.1:15091")
        #expect(ringing.local?.userPart == "1001")
        #expect(info.dialogs[1].state == .terminated)
        #expect(info.dialogs[1].localTag == nil)
    }

    @Test("states are read case-insensitively (Kamailio sends Trying)", arguments: DialogInfoState.allCases)
    func stateCase(state: DialogInfoState) throws {
        let name = state.rawValue
        let spellings = [name, name.prefix(1).uppercased() + name.dropFirst(), name.uppercased(), " \(name)\n"]
        for text in spellings {
            let body =
                #"<dialog-info version="1" state="full" entity="sip:1@x"><dialog id="a"><state>"#
                + text + "</state></dialog></dialog-info>"
            #expect(try DialogInfo(parsing: body).dialogs.first?.state == state)
        }
    }

    @Test("an Asterisk body: no call-id, direction or remote; the hold parameter written as pvalue")
    func asterisk() throws {
        let body = """
            <?xml version="1.0" encoding="UTF-8"?>
            <dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="4" state="full" entity="sip:201@pbx">
             <dialog id="201">
              <state>confirmed</state>
              <local><target uri="sip:201@pbx"><param pname="+sip.rendering" pvalue="no"/></target></local>
             </dialog>
            </dialog-info>
            """
        let dialog = try #require(try DialogInfo(parsing: body).dialogs.first)
        #expect(dialog.callID == nil)
        #expect(dialog.direction == nil)
        #expect(dialog.remote == nil)
        #expect(dialog.local?.targetParameters == ["+sip.rendering": "no"])
        #expect(dialog.local?.userPart == "201")
    }

    @Test("RFC 4235 details: partial state, prefixes, entities, comments, CDATA, state event and code, duration")
    func rfcDetails() throws {
        let body = """
            <?xml version='1.0' encoding='UTF-8'?>
            <!-- a comment -->
            <d:dialog-info xmlns:d='urn:ietf:params:xml:ns:dialog-info' version='12' state='partial'
                entity='sip:anna@example.com'>
              <d:dialog id='x&amp;1' call-id='abc&lt;1&gt;' direction='initiator'>
                <d:state event='rejected' code='486'>terminated</d:state>
                <d:duration>42</d:duration>
                <d:remote><d:identity display='Bob &amp; Co'><![CDATA[sip:bob@example.com]]></d:identity></d:remote>
                <?ignored instruction?>
              </d:dialog>
              <d:dialog id='no-state'/>
              <d:dialog><d:state>early</d:state></d:dialog>
              <d:dialog id='weird'><d:state>parked</d:state></d:dialog>
            </d:dialog-info>
            """
        let info = try DialogInfo(parsing: body)
        #expect(info.completeness == .partial)
        #expect(info.version == 12)
        #expect(info.dialogs.count == 1)  // no id, no state, or an unknown state: skipped
        let dialog = try #require(info.dialogs.first)
        #expect(dialog.id == "x&1")
        #expect(dialog.callID == "abc<1>")
        #expect(dialog.direction == .initiator)
        #expect(dialog.state == .terminated)
        #expect(dialog.stateEvent == "rejected")
        #expect(dialog.stateCode == 486)
        #expect(dialog.durationSeconds == 42)
        #expect(dialog.remote?.identity == "sip:bob@example.com")
        #expect(dialog.remote?.displayName == "Bob & Co")
        #expect(dialog.remote?.userPart == "bob")
    }

    @Test(
        "broken or foreign documents are refused, never crash",
        arguments: [
            "", "   ", "not xml", "<dialog-info", "<dialog-info version=1/>", "<dialog-info></dialog>",
            "<presence/>", "<dialog-info/><extra/>", "<dialog-info a=\"&bogus;\"/>", "<dialog-info><!-- x",
            String(repeating: "<dialog-info>", count: 40),
        ])
    func broken(body: String) {
        #expect(throws: DialogInfoParseError.self) { try DialogInfo(parsing: body) }
    }

    @Test("an empty dialog-info is a valid document with no dialogs")
    func empty() throws {
        let info = try DialogInfo(
            parsing:
                #"<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="0" state="full" entity="sip:2000@127.0.0.1"/>"#
        )
        #expect(info.dialogs.isEmpty)
        #expect(info.version == 0)
    }
}
