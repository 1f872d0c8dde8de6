/// The version of ringlog, printed by `ringlog --version`.
public enum RinglogVersion {
    /// The release this source tree builds.
    public static let current = "0.1.0"
}
