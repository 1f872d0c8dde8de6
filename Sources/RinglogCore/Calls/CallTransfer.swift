/// One transfer inside a call record: a REFER (or a Replaces INVITE) that moved the call to a new dialog.
public struct CallTransfer: Sendable, Equatable, Hashable {
    /// Blind (`Refer-To` a number) or attended (`Refer-To` with `Replaces`), or a pickup by Replaces alone.
    public enum Kind: String, Sendable, Equatable, Hashable {
        case blind, attended, replaces
    }

    /// The kind of transfer.
    public var kind: Kind
    /// When the REFER (or the replacing INVITE) was seen.
    public var at: CaptureTime
    /// The Call-ID of the dialog that was transferred.
    public var fromCallID: String
    /// The Call-ID of the new dialog.
    public var toCallID: String
    /// The transfer target as the REFER named it (its URI), when there was a REFER.
    public var target: String?

    /// Creates a transfer entry.
    public init(kind: Kind, at: CaptureTime, fromCallID: String, toCallID: String, target: String?) {
        self.kind = kind
        self.at = at
        self.fromCallID = fromCallID
        self.toCallID = toCallID
        self.target = target
    }
}
