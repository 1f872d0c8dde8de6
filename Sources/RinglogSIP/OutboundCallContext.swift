import CRe
import CReShim

/// What one outbound call reports from the libre thread to the task that placed it.
enum OutboundCallEvent: Sendable {
    /// The PBX answered something: a digest challenge or a provisional response.
    case responded
    /// The phone answered (200 OK, ACK sent) and the REFER is on its way.
    case answered(callID: String?)
    /// The session ended before the REFER was answered.
    case ended(errno: Int32, statusCode: Int?, reason: String?)
    /// The final response to the REFER (or its transaction's errno).
    case referAnswered(errno: Int32, statusCode: Int?, reason: String?)
    /// A time limit passed (posted by the placing task's timer).
    case deadline(OutboundCallDeadline)
}

/// The time limits of an outbound call.
enum OutboundCallDeadline: Sendable {
    case response
    case answer
}

/// One click-to-call's state on the libre thread, and the context pointer its callbacks receive.
///
/// Confined to the loop thread. libre holds one retain (taken when the call starts) until
/// ``end()`` gives it back: when the session closes, the caller hangs up, or the core closes.
final class OutboundCallContext {
    let username: String
    let password: String
    let targetURI: String
    let contactUser: String
    /// ringlog's address of record, for `Referred-By`.
    let referredBy: String
    let sessionDescription: String
    let events: AsyncStream<OutboundCallEvent>.Continuation
    /// libre's `struct sip *`, for the REFER.
    let sip: OpaquePointer
    /// libre's `struct sipsess *`, while the session lives.
    var session: OpaquePointer?
    /// libre's `struct sip_auth *` for the REFER's own challenges.
    var referAuth: OpaquePointer?
    /// Where libre keeps the REFER's `struct sip_request *` (stable memory, so libre can clear it).
    let referRequest = UnsafeMutablePointer<OpaquePointer?>.allocate(capacity: 1)
    var referChallenged = false
    var referAnswered = false
    /// Called once when the call ends, so the core can forget it.
    var onEnd: (() -> Void)?

    init(
        account: SIPAccount, targetURI: String, sessionDescription: String, sip: OpaquePointer,
        events: AsyncStream<OutboundCallEvent>.Continuation
    ) {
        username = account.username
        password = account.password
        contactUser = account.username
        referredBy = account.uri
        self.targetURI = targetURI
        self.sessionDescription = sessionDescription
        self.sip = sip
        self.events = events
        referRequest.initialize(to: nil)
    }

    deinit {
        referRequest.deinitialize(count: 1)
        referRequest.deallocate()
    }

    /// Sends the REFER in the session's dialog: `Refer-To` the target, `Referred-By` ringlog's account.
    func sendRefer() -> Int32 {
        guard let session, let dialog = sipsess_dialog(session) else { return EINVAL }
        if referAuth == nil {
            var auth: OpaquePointer?
            let error = sip_auth_alloc(
                &auth, authenticateOutboundCall, Unmanaged.passUnretained(self).toOpaque(), false)
            guard error == 0 else { return error }
            referAuth = auth
        }
        let headers = "Refer-To: <\(targetURI)>\r\nReferred-By: <\(referredBy)>\r\n"
        return creshim_sip_drequest(
            referRequest, sip, "REFER", dialog, referAuth, writeOutboundCallContact, receiveReferResponse,
            Unmanaged.passUnretained(self).toOpaque(), headers)
    }

    /// Releases libre's objects (a live session gets a CANCEL or BYE) and libre's retain on this context.
    func end() {
        guard session != nil || referAuth != nil || referRequest.pointee != nil else { return }
        if let request = referRequest.pointee {
            referRequest.pointee = nil
            _ = mem_deref(UnsafeMutableRawPointer(request))
        }
        if let session {
            self.session = nil
            _ = mem_deref(UnsafeMutableRawPointer(session))
        }
        if let referAuth {
            self.referAuth = nil
            _ = mem_deref(UnsafeMutableRawPointer(referAuth))
        }
        onEnd?()
        onEnd = nil
        Unmanaged.passUnretained(self).release()
    }

    /// The SDP offer and answer: one audio stream, `inactive`, so neither side sends media on a leg that
    /// only exists until the REFER.
    static func sessionDescription(localAddress: String) -> String {
        let family = localAddress.contains(":") ? "IP6" : "IP4"
        return [
            "v=0", "o=ringlog 1 1 IN \(family) \(localAddress)", "s=ringlog", "c=IN \(family) \(localAddress)",
            "t=0 0", "m=audio 9 RTP/AVP 0 8", "a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000", "a=inactive",
        ].joined(separator: "\r\n") + "\r\n"
    }

    /// A libre buffer holding the SDP, positioned at its start; the caller owns one reference.
    func descriptionBuffer() -> UnsafeMutablePointer<mbuf>? {
        let bytes = Array(sessionDescription.utf8)
        guard let buffer = mbuf_alloc(bytes.count) else { return nil }
        guard mbuf_write_mem(buffer, bytes, bytes.count) == 0 else {
            _ = mem_deref(buffer)
            return nil
        }
        buffer.pointee.pos = 0
        return buffer
    }

    /// The context behind a callback's `arg`.
    static func from(_ argument: UnsafeMutableRawPointer?) -> OutboundCallContext? {
        argument.map { Unmanaged<OutboundCallContext>.fromOpaque($0).takeUnretainedValue() }
    }
}

// libre's callbacks for an outbound call; they run on the loop thread and find their context through
// the `arg` pointer.

/// Digest credentials; also the first sign that the PBX is there.
func authenticateOutboundCall(
    username: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    password: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, realm: UnsafePointer<CChar>?,
    argument: UnsafeMutableRawPointer?
) -> Int32 {
    guard let context = OutboundCallContext.from(argument) else { return EINVAL }
    context.events.yield(.responded)
    let userError = context.username.withCString { str_dup(username, $0) }
    guard userError == 0 else { return userError }
    return context.password.withCString { str_dup(password, $0) }
}

/// A re-INVITE from the phone (e.g. it holds ringlog's leg while it calls the target): answer with the
/// same inactive SDP.
func offerOutboundCall(
    description: UnsafeMutablePointer<UnsafeMutablePointer<mbuf>?>?, message: UnsafePointer<sip_msg>?,
    argument: UnsafeMutableRawPointer?
) -> Int32 {
    guard let context = OutboundCallContext.from(argument), let description else { return EINVAL }
    guard let buffer = context.descriptionBuffer() else { return ENOMEM }
    description.pointee = buffer
    return 0
}

/// The phone's SDP answer: accepted as it is (ringlog sends and receives no media).
func answerOutboundCall(message: UnsafePointer<sip_msg>?, argument: UnsafeMutableRawPointer?) -> Int32 {
    0
}

/// 1xx from the PBX or the phone.
func progressOutboundCall(message: UnsafePointer<sip_msg>?, argument: UnsafeMutableRawPointer?) {
    OutboundCallContext.from(argument)?.events.yield(.responded)
}

/// The phone answered: report it and send the REFER at once.
func establishOutboundCall(message: UnsafePointer<sip_msg>?, argument: UnsafeMutableRawPointer?) {
    guard let context = OutboundCallContext.from(argument) else { return }
    context.events.yield(.answered(callID: message?.pointee.callid.text))
    let error = context.sendRefer()
    if error != 0 {
        context.referAnswered = true
        context.events.yield(.referAnswered(errno: error, statusCode: nil, reason: nil))
    }
}

/// The session ended (refused, cancelled, BYE from the phone, or a transport error).
func closeOutboundCall(error: Int32, message: UnsafePointer<sip_msg>?, argument: UnsafeMutableRawPointer?) {
    guard let context = OutboundCallContext.from(argument) else { return }
    let status = message.map { Int($0.pointee.scode) }.flatMap { $0 == 0 ? nil : $0 }
    let reason = message?.pointee.reason.text
    context.events.yield(.ended(errno: error, statusCode: status, reason: reason))
    context.end()
}

/// Writes the Contact header of the REFER (RFC 3515 requires one).
func writeOutboundCallContact(
    transport: sip_transp, source: UnsafePointer<sa>?, destination: UnsafePointer<sa>?,
    buffer: UnsafeMutablePointer<mbuf>?, argument: UnsafeMutableRawPointer?
) -> Int32 {
    guard let context = OutboundCallContext.from(argument) else { return EINVAL }
    return context.contactUser.withCString { creshim_mbuf_write_contact(buffer, $0, source, transport) }
}

/// The REFER's responses: one digest challenge is answered, the final response reported.
func receiveReferResponse(error: Int32, message: UnsafePointer<sip_msg>?, argument: UnsafeMutableRawPointer?) {
    guard let context = OutboundCallContext.from(argument), !context.referAnswered else { return }
    let status = message.map { Int($0.pointee.scode) } ?? 0
    if error == 0, status < 200 { return }
    if error == 0, status == 401 || status == 407, !context.referChallenged, let message,
        sip_auth_authenticate(context.referAuth, message) == 0
    {
        context.referChallenged = true
        if context.sendRefer() == 0 { return }
    }
    context.referAnswered = true
    context.events.yield(
        .referAnswered(
            errno: error, statusCode: status == 0 ? nil : status, reason: message?.pointee.reason.text))
}
