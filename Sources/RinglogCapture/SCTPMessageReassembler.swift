/// Joins SCTP user messages that were split over several DATA chunks (RFC 9260 section 6.9): a chunk
/// with the B flag starts one, chunks with consecutive TSNs continue it, the E flag ends it.
///
/// Simple on purpose: one message in progress per association direction (chunks interleaved between
/// streams are dropped), at most ``maximumAssociations`` directions and a message-size cap.
struct SCTPMessageReassembler {
    /// One direction of an SCTP association.
    struct Key: Hashable {
        var source: IPAddress
        var sourcePort: UInt16
        var destination: IPAddress
        var destinationPort: UInt16
    }

    private struct Partial {
        var nextTSN: UInt32
        var bytes: [UInt8]
    }

    private let maximumAssociations = 256
    private let maximumMessageSize: Int
    private var partials: [Key: Partial] = [:]

    /// Creates an empty reassembler that refuses messages over `maximumMessageSize` bytes.
    init(maximumMessageSize: Int) {
        self.maximumMessageSize = maximumMessageSize
    }

    /// Adds one DATA chunk's user data; returns the whole message when this chunk completed it.
    mutating func add(
        _ data: ArraySlice<UInt8>, tsn: UInt32, isBeginning: Bool, isEnd: Bool, key: Key
    ) -> ArraySlice<UInt8>? {
        if isBeginning, isEnd { return data }
        if isBeginning {
            if partials[key] == nil, partials.count >= maximumAssociations { partials.removeAll() }
            partials[key] = Partial(nextTSN: tsn &+ 1, bytes: Array(data))
            return nil
        }
        guard var partial = partials.removeValue(forKey: key), partial.nextTSN == tsn,
            partial.bytes.count + data.count <= maximumMessageSize
        else { return nil }
        partial.bytes.append(contentsOf: data)
        if isEnd { return partial.bytes[...] }
        partial.nextTSN = tsn &+ 1
        partials[key] = partial
        return nil
    }
}
