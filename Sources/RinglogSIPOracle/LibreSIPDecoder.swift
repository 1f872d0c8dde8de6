import CRe
import CReShim
import Glibc
import Synchronization
import class RinglogCore.Locked

/// Decodes SIP messages with libre's standalone decoder, `sip_msg_decode`, into a ``LibreSIPMessage``.
///
/// ringlog decodes captured SIP in Swift; this decoder exists as an independent oracle for tests.
/// Each call copies the bytes into a libre `mbuf`, decodes, reads everything it reports into Swift
/// strings while the decoded message is alive, then releases the message and the buffer (`mem_deref`).
public enum LibreSIPDecoder {
    /// Serialises every call into libre made by this module and remembers the `libre_init` result.
    ///
    /// `sip_msg_decode` touches no event-loop (`re_main`) state, but libre 1.1.0 documents no thread
    /// safety for its allocator or its random-number helper (each decoded message gets a random tag),
    /// so calls are made one at a time. The lock is held only for the decode of one message.
    private static let libreState = Locked<Int32?>(nil)

    /// Decodes one SIP message (start line, headers, blank line, optional body).
    /// - Throws: ``LibreDecodingError`` when libre cannot initialise or rejects the bytes.
    public static func decode(_ bytes: some Collection<UInt8>) throws(LibreDecodingError) -> LibreSIPMessage {
        let buffer = Array(bytes)
        guard !buffer.isEmpty else { throw .incomplete }
        return try libreState.withLock { initResult throws(LibreDecodingError) -> LibreSIPMessage in
            let initError = initResult ?? libre_init()
            initResult = initError
            guard initError == 0 else { throw .initializationFailed(errno: initError) }
            return try decodeHoldingLock(buffer)
        }
    }

    private static func decodeHoldingLock(_ buffer: [UInt8]) throws(LibreDecodingError) -> LibreSIPMessage {
        guard let mbuf = mbuf_alloc(buffer.count) else { throw .rejected(errno: ENOMEM) }
        defer { _ = mem_deref(mbuf) }
        let writeError = buffer.withUnsafeBufferPointer { mbuf_write_mem(mbuf, $0.baseAddress, $0.count) }
        guard writeError == 0 else { throw .rejected(errno: writeError) }
        mbuf.pointee.pos = 0

        var decoded: UnsafeMutablePointer<sip_msg>?
        let decodeError = sip_msg_decode(&decoded, mbuf)
        switch decodeError {
        case 0: break
        case ENODATA: throw .incomplete
        default: throw .rejected(errno: decodeError)
        }
        guard let message = decoded else { throw .rejected(errno: EINVAL) }
        // The message holds its own reference on the mbuf; every `pl` read below points into it.
        defer { _ = mem_deref(message) }
        return LibreMessageReader(message: UnsafePointer(message)).summary()
    }
}
