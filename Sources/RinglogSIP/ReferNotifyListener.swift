import CRe

/// Answers the NOTIFYs a transferred phone sends about ringlog's REFER (RFC 3515 `Event: refer`, body
/// `message/sipfrag`) with 200 OK.
///
/// ringlog sends the REFER as a plain in-dialog request, so libre has no subscription for these NOTIFYs
/// and would answer 481; some phones then report the transfer as failed (baresip logs "transfer
/// failure") or hang up on their own. This listener is registered before libre's event socket, so it
/// sees them first. Confined to the loop thread.
final class ReferNotifyListener {
    /// Call-IDs of ringlog's calls whose REFER NOTIFYs are answered; bounded.
    private var callIDs: [String] = []
    private static let remembered = 64

    /// Answers NOTIFYs for the call with `callID` from now on.
    func expect(callID: String) {
        callIDs.append(callID)
        if callIDs.count > Self.remembered { callIDs.removeFirst(callIDs.count - Self.remembered) }
    }

    /// Whether `message` is a refer NOTIFY of one of ringlog's calls.
    func isReferNotify(_ message: UnsafePointer<sip_msg>) -> Bool {
        let fields = message.pointee
        guard fields.met.text == "NOTIFY", let callID = fields.callid.text, callIDs.contains(callID),
            let event = sip_msg_hdr(message, SIP_HDR_EVENT)?.pointee.val.text
        else { return false }
        return event.lowercased().hasPrefix("refer")
    }

    /// The `sip_listen` handler: `arg` is the listener, unretained (the core keeps it alive longer
    /// than the `struct sip` that calls this).
    static let handler: @convention(c) (UnsafePointer<sip_msg>?, UnsafeMutableRawPointer?) -> Bool = {
        message, argument in
        guard let message, let argument else { return false }
        let listener = Unmanaged<ReferNotifyListener>.fromOpaque(argument).takeUnretainedValue()
        guard listener.isReferNotify(message), let sip = listener.sip else { return false }
        _ = sip_treply(nil, sip, message, 200, "OK")
        return true
    }

    /// libre's `struct sip *`, set once the stack exists.
    var sip: OpaquePointer?
}
