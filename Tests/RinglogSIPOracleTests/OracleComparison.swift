import Foundation
import RinglogCore
import RinglogSIPOracle

/// Compares ringlog's decoded ``SIPMessage`` with what libre's decoder read from the same bytes.
///
/// Comparison rules. Only what depends on representation is normalised; everything else must be equal:
/// * Method, Request-URI, status code, Call-ID, CSeq number and method, Via branch, tags and URIs are
///   compared exactly as written. A URI is what stands inside the angle brackets (parameters and
///   `?headers` included), or, for an addr-spec without brackets, everything up to the first `;`
///   (what follows are header parameters such as `tag`). Header names are matched case-insensitively
///   and in compact form by both decoders; nothing of the name reaches the compared values.
/// * Reason phrase: compared with white space runs collapsed and trimmed (libre keeps trailing blanks).
/// * Display names: without surrounding quotes, quoted pairs unescaped, white space runs as one space.
///   libre's `sip_addr_decode` keeps only the last word of an unquoted multi-word display name
///   (`Anna Example <sip:..>` gives `Example`), so an unquoted name matches when libre's is the last
///   word of ringlog's.
/// * Reason header values: white space runs collapsed (folding included) and blanks next to `;` and
///   `=` removed, e.g. `SIP; cause=487;\r\n\ttext="x"` equals `SIP;cause=487;text="x"`.
/// * Lists (P-Asserted-Identity, Diversion, History-Info, Reason) are compared element by element in
///   order; repeated headers and comma-joined values count the same. libre splits P-Asserted-Identity,
///   History-Info, Contact and Reason itself; Diversion and Remote-Party-ID are split by the oracle at
///   commas outside quotes and angle brackets.
/// * Contact is the first Contact value; when libre cannot decode it as an address (`Contact: *`) it is
///   not compared. Remote-Party-ID is the first value.
/// * Replaces: the Replaces header, else the `Replaces` URI header of the Refer-To URI, unescaped;
///   Call-ID and both tags compared exactly.
/// * Content-Type: `type/subtype` in lower case on both sides.
/// * Not compared: the SDP media direction (libre's SDP decoder needs a full offer/answer session).
enum OracleComparison {
    /// Every difference between the two decodings, as readable lines; empty when they agree.
    static func differences(ringlog: SIPMessage, libre: LibreSIPMessage) -> [String] {
        var found: [String] = []
        func check<Value: Equatable>(_ field: String, _ ours: Value, _ theirs: Value) {
            if ours != theirs { found.append("\(field): ringlog \(ours) ≠ libre \(theirs)") }
        }

        switch (ringlog.startLine, libre.startLine) {
        case (.request(let method, let uri), .request(let libreMethod, let libreURI)):
            check("method", method, libreMethod)
            check("Request-URI", uri, libreURI)
        case (.response(let status, let reason), .response(let libreStatus, let libreReason)):
            check("status", status, libreStatus)
            check("reason phrase", collapsed(reason), collapsed(libreReason))
        default:
            found.append("start line: ringlog \(ringlog.startLine) ≠ libre \(libre.startLine)")
        }
        check("Call-ID", ringlog.callID, libre.callID ?? "")
        check("CSeq number", ringlog.cseqNumber, libre.cseqNumber)
        check("CSeq method", ringlog.cseqMethod, libre.cseqMethod ?? "")
        compare("From", ringlog.from, libre.from, into: &found)
        compare("To", ringlog.to, libre.to, into: &found)
        check("top Via branch", ringlog.topViaBranch, libre.topViaBranch)
        if !libre.undecodableHeaders.contains("Contact") {
            compare("Contact", ringlog.contact, libre.contact, into: &found)
        }
        compare("P-Asserted-Identity", ringlog.pAssertedIdentities, libre.pAssertedIdentities, into: &found)
        compare("Remote-Party-ID", ringlog.remotePartyID, libre.remotePartyID, into: &found)
        compare("Diversion", ringlog.diversions, libre.diversions, into: &found)
        compare("History-Info", ringlog.historyInfo, libre.historyInfo, into: &found)
        compare("Refer-To", ringlog.referTo, libre.referTo, into: &found)
        compare("Referred-By", ringlog.referredBy, libre.referredBy, into: &found)
        check("Replaces call-id", ringlog.replaces?.callID, libre.replaces?.callID)
        check("Replaces to-tag", ringlog.replaces?.toTag, libre.replaces?.toTag)
        check("Replaces from-tag", ringlog.replaces?.fromTag, libre.replaces?.fromTag)
        check("Reason", ringlog.reasons.map(compactReason), libre.reasons.map(compactReason))
        check("Content-Type", ringlog.contentType, libre.contentType)
        return found
    }

    private static func compare(
        _ field: String, _ ours: [NameAddress], _ theirs: [LibreNameAddress], into found: inout [String]
    ) {
        guard ours.count == theirs.count else {
            found.append("\(field): ringlog has \(ours.count) values \(ours) ≠ libre \(theirs.count) \(theirs)")
            return
        }
        for (index, (mine, libres)) in zip(ours, theirs).enumerated() {
            compare("\(field)[\(index)]", mine, libres, into: &found)
        }
    }

    private static func compare(
        _ field: String, _ ours: NameAddress?, _ theirs: LibreNameAddress?, into found: inout [String]
    ) {
        guard let ours, let theirs else {
            if ours != nil || theirs != nil {
                found.append("\(field): ringlog \(String(describing: ours)) ≠ libre \(String(describing: theirs))")
            }
            return
        }
        if ours.uri != theirs.uri { found.append("\(field) URI: ringlog \(ours.uri) ≠ libre \(theirs.uri)") }
        if ours.tag != theirs.tag {
            found.append("\(field) tag: ringlog \(ours.tag ?? "none") ≠ libre \(theirs.tag ?? "none")")
        }
        if !displayNamesMatch(ours.displayName, theirs.displayName) {
            found.append(
                "\(field) display name: ringlog \(ours.displayName ?? "none") ≠ libre \(theirs.displayName ?? "none")")
        }
    }

    private static func displayNamesMatch(_ ours: String?, _ theirs: String?) -> Bool {
        switch (ours.map(collapsed), theirs) {
        case (nil, nil):
            return true
        case (let ours?, nil):
            return ours.isEmpty
        case (nil, .some):
            return false
        case (let ours?, let theirs?):
            return ours == theirs || ours.split(separator: " ").last.map(String.init) == theirs
        }
    }

    private static func collapsed(_ text: String) -> String {
        text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" })
            .joined(separator: " ")
    }

    private static func compactReason(_ reason: String) -> String {
        var text = collapsed(reason)
        for separator in [";", "="] {
            text = text.replacingOccurrences(of: " \(separator)", with: separator)
                .replacingOccurrences(of: "\(separator) ", with: separator)
        }
        return text
    }
}
