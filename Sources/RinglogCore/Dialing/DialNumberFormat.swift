/// How the PBX wants an outside number written in the REFER that sends the user's phone to it.
public enum DialNumberFormat: String, Sendable, Equatable, CaseIterable {
    /// `+358401234567`: most current PBXes and SIP trunks accept E.164 with `+`.
    case e164
    /// The national form for numbers of Finland (`0401234567`), the international form with the
    /// international prefix (`0046812345678`) for others; the dial prefix goes in front of either.
    case national
}
