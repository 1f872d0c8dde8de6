/// The outbox key of a call: its Call-ID and start time, so that the same call enqueued twice (a replay, a
/// restart that sees the tail of a call again) stays one item, while a Call-ID a PBX reuses later does not.
public enum CallLogKey {
    /// `CALL-ID START` with the start as ISO 8601 UTC with milliseconds.
    public static func key(for record: CallRecord) -> String {
        "\(record.callID) \(ISO8601Timestamp.string(from: record.startedAt))"
    }
}
