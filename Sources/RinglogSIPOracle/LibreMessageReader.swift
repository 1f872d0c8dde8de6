import CRe
import CReShim

/// Reads a decoded libre `sip_msg` into a ``LibreSIPMessage``. Valid only while the message is alive.
struct LibreMessageReader {
    let message: UnsafePointer<sip_msg>

    func summary() -> LibreSIPMessage {
        let fields = message.pointee
        let startLine: LibreSIPMessage.StartLine =
            fields.req
            ? .request(method: fields.met.text ?? "", uri: fields.ruri.text ?? "")
            : .response(status: Int(fields.scode), reason: fields.reason.text ?? "")
        var summary = LibreSIPMessage(startLine: startLine)
        summary.callID = fields.callid.text
        if let method = fields.cseq.met.text {
            summary.cseqNumber = fields.cseq.num
            summary.cseqMethod = method
        }
        summary.from = taggedAddress(fields.from)
        summary.to = taggedAddress(fields.to)
        summary.topViaBranch = fields.via.branch.text

        summary.contact = addresses(named: "Contact", values(of: SIP_HDR_CONTACT), into: &summary).first
        summary.pAssertedIdentities = addresses(
            named: "P-Asserted-Identity", values(of: SIP_HDR_P_ASSERTED_IDENTITY), into: &summary)
        summary.historyInfo = addresses(named: "History-Info", values(of: SIP_HDR_HISTORY_INFO), into: &summary)
        // libre has no header id for these two, so it keeps each line whole: split the values here.
        summary.remotePartyID =
            addresses(
                named: "Remote-Party-ID", values(ofUnknown: "Remote-Party-ID").flatMap(\.topLevelCommaSeparated),
                into: &summary
            ).first
        summary.diversions = addresses(
            named: "Diversion", values(ofUnknown: "Diversion").flatMap(\.topLevelCommaSeparated), into: &summary)
        summary.referTo = addresses(named: "Refer-To", values(of: SIP_HDR_REFER_TO).prefix(1), into: &summary).first
        summary.referredBy =
            addresses(named: "Referred-By", values(of: SIP_HDR_REFERRED_BY).prefix(1), into: &summary).first
        summary.replaces = values(of: SIP_HDR_REPLACES).first.flatMap(LibreReplaces.init(libreValue:))
        if summary.replaces == nil {
            summary.replaces = embeddedReplaces(inReferTo: values(of: SIP_HDR_REFER_TO).first)
        }
        summary.reasons = values(of: SIP_HDR_REASON).compactMap { $0.text?.collapsingWhiteSpace }
        if let type = fields.ctyp.type.text, let subtype = fields.ctyp.subtype.text {
            summary.contentType = "\(type)/\(subtype)".lowercased()
        }
        return summary
    }

    /// The header values libre filed under `id`, in message order. For the headers libre treats as
    /// comma-separated lists (Contact, P-Asserted-Identity, History-Info, Reason, ...) each list
    /// element is one value.
    private func values(of id: sip_hdrid) -> [pl] {
        var collected: [pl] = []
        withUnsafeMutablePointer(to: &collected) { collected in
            _ = sip_msg_hdr_apply(
                message, true, id,
                { header, _, context in
                    guard let header, let context else { return false }
                    context.assumingMemoryBound(to: [pl].self).pointee.append(header.pointee.val)
                    return false  // keep walking
                }, collected)
        }
        return collected
    }

    /// The values of a header libre has no id for, found by name (case-insensitive, no compact form).
    private func values(ofUnknown name: String) -> [pl] {
        var collected: [pl] = []
        withUnsafeMutablePointer(to: &collected) { collected in
            _ = sip_msg_xhdr_apply(
                message, true, name,
                { header, _, context in
                    guard let header, let context else { return false }
                    context.assumingMemoryBound(to: [pl].self).pointee.append(header.pointee.val)
                    return false
                }, collected)
        }
        return collected
    }

    private func taggedAddress(_ address: sip_taddr) -> LibreNameAddress? {
        guard address.val.p != nil, let uri = address.auri.text else { return nil }
        return LibreNameAddress(
            displayName: address.dname.displayName, uri: uri, tag: address.tag.text)
    }

    /// Decodes each value with `sip_addr_decode`; a value libre rejects is left out and its header
    /// name recorded in `undecodableHeaders`.
    private func addresses(
        named name: String, _ values: some Sequence<pl>, into summary: inout LibreSIPMessage
    ) -> [LibreNameAddress] {
        var decoded: [LibreNameAddress] = []
        for value in values {
            var value = value
            var address = sip_addr()
            guard sip_addr_decode(&address, &value) == 0, let uri = address.auri.text else {
                summary.undecodableHeaders.append(name)
                continue
            }
            var tag = pl()
            let hasTag = msg_param_decode(&address.params, "tag", &tag) == 0
            decoded.append(
                LibreNameAddress(
                    displayName: address.dname.displayName, uri: uri, tag: hasTag ? tag.text : nil))
        }
        return decoded
    }

    /// The `Replaces` URI header of a Refer-To URI (`<sip:b@pbx?Replaces=abc%3Bto-tag%3D1>`), unescaped.
    private func embeddedReplaces(inReferTo referTo: pl?) -> LibreReplaces? {
        guard var referTo else { return nil }
        var address = sip_addr()
        guard sip_addr_decode(&address, &referTo) == 0, address.uri.headers.p != nil else { return nil }
        var escaped = pl()
        let found = "Replaces".withCString { name in
            var namePL = pl()
            pl_set_str(&namePL, name)
            return uri_header_get(&address.uri.headers, &namePL, &escaped) == 0
        }
        guard found else { return nil }
        var unescaped: UnsafeMutablePointer<CChar>?
        guard creshim_uri_header_unescape(&escaped, &unescaped) == 0, let unescaped else { return nil }
        defer { _ = mem_deref(unescaped) }
        var value = pl()
        pl_set_str(&value, unescaped)
        return LibreReplaces(libreValue: value)
    }
}

extension LibreReplaces {
    /// Splits `callid;to-tag=a;from-tag=b` with libre's parameter decoder.
    fileprivate init?(libreValue value: pl) {
        var callID = value
        var parameters = pl()
        if let semicolon = pl_strchr(&callID, CChar(UInt8(ascii: ";"))), let start = value.p {
            let offset = start.distance(to: semicolon)
            callID.l = offset
            parameters = pl(p: semicolon, l: value.l - offset)
        }
        guard let callIDText = callID.text?.collapsingWhiteSpace, !callIDText.isEmpty else { return nil }
        var toTag = pl()
        var fromTag = pl()
        let hasToTag = msg_param_decode(&parameters, "to-tag", &toTag) == 0
        let hasFromTag = msg_param_decode(&parameters, "from-tag", &fromTag) == 0
        self.init(callID: callIDText, toTag: hasToTag ? toTag.text : nil, fromTag: hasFromTag ? fromTag.text : nil)
    }
}
