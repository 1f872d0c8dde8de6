import Glibc

extension SIPUserAgent {
    /// Click-to-call by third-party call control: INVITEs the user's phone (answering digest challenges
    /// with the account's credentials), and once it answers REFERs it to the target; when the PBX accepts
    /// the REFER, hangs up ringlog's own leg and returns. The phone then calls the target itself.
    ///
    /// - Throws: ``ThirdPartyCallError``: unreachable PBX (no response within `responseTimeout`),
    ///   refused credentials, unknown extension, phone not answering within `answerTimeout` (the call is
    ///   cancelled), or a refused REFER.
    public func placeThirdPartyCall(_ request: ThirdPartyCallRequest) async throws(ThirdPartyCallError)
        -> ThirdPartyCallResult
    {
        let (events, continuation) = AsyncStream.makeStream(of: OutboundCallEvent.self)
        let started: Result<UInt64, SIPUserAgentError> = await withCheckedContinuation { result in
            loop.post(
                { core in
                    result.resume(
                        returning: core.startCall(
                            phoneURI: request.phoneURI, targetURI: request.targetURI,
                            extraHeaders: request.extraHeaders, events: continuation))
                }, ifStopped: { result.resume(returning: .failure(.stopped)) })
        }
        let call: UInt64
        switch started {
        case .success(let id): call = id
        case .failure(let error): throw .agent(error)
        }
        let timer = Task {
            try await Task.sleep(for: request.responseTimeout)
            continuation.yield(.deadline(.response))
            try await Task.sleep(for: max(.zero, request.answerTimeout - request.responseTimeout))
            continuation.yield(.deadline(.answer))
        }
        defer {
            timer.cancel()
            continuation.finish()
        }
        let outcome = await Self.follow(events)
        // Hang up ringlog's leg in every case: CANCEL while ringing, BYE after the REFER.
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            loop.post(
                { core in
                    core.hangUp(call)
                    done.resume()
                }, ifStopped: { done.resume() })
        }
        // Let libre finish the BYE or CANCEL and answer what the phone still sends.
        try? await Task.sleep(for: request.linger)
        return try outcome.get()
    }

    /// Reads the call's events until the outcome is known.
    private static func follow(_ events: AsyncStream<OutboundCallEvent>) async
        -> Result<ThirdPartyCallResult, ThirdPartyCallError>
    {
        var responded = false
        var answered = false
        var callID: String?
        for await event in events {
            switch event {
            case .responded:
                responded = true
            case .answered(let id):
                responded = true
                answered = true
                callID = id
            case .deadline(.response) where !responded:
                return .failure(.unreachable(errno: nil))
            case .deadline(.answer) where !answered:
                return .failure(.notAnswered(statusCode: nil, reason: nil))
            case .deadline:
                continue
            case .ended(let errno, let status, let reason):
                return .failure(classifyEnd(errno: errno, statusCode: status, reason: reason, answered: answered))
            case .referAnswered(let errno, let status?, let reason) where errno == 0:
                return (200..<300).contains(status)
                    ? .success(ThirdPartyCallResult(referStatusCode: status, callID: callID))
                    : .failure(.referRefused(statusCode: status, reason: reason))
            case .referAnswered(_, let status, let reason):
                return .failure(.referRefused(statusCode: status, reason: reason))
            }
        }
        return .failure(.agent(.stopped))
    }

    /// What a session that ended before the REFER's answer means for the user.
    static func classifyEnd(errno: Int32, statusCode: Int?, reason: String?, answered: Bool)
        -> ThirdPartyCallError
    {
        guard let statusCode else {
            if answered { return .referRefused(statusCode: nil, reason: nil) }
            if errno == ETIMEDOUT || errno == ECONNREFUSED || errno == ENETUNREACH || errno == EHOSTUNREACH {
                return .unreachable(errno: errno)
            }
            return .failed(errno: errno, statusCode: nil, reason: nil)
        }
        switch statusCode {
        case 401, 403, 407: return .authenticationFailed(statusCode: statusCode)
        case 404, 484, 604: return .unknownExtension(statusCode: statusCode, reason: reason)
        case 300..<700 where !answered: return .notAnswered(statusCode: statusCode, reason: reason)
        default: return .failed(errno: errno, statusCode: statusCode, reason: reason)
        }
    }
}
