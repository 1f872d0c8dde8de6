/// A configuration that ringlog refuses, naming the key and saying how to fix it.
public struct ConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The dotted key path, e.g. `hep.listen`; empty for the file as a whole.
    public var key: String
    /// What is wrong and what to write instead.
    public var problem: String

    /// Creates an error about `key`.
    public init(key: String, _ problem: String) {
        self.key = key
        self.problem = problem
    }

    public var description: String {
        key.isEmpty ? problem : "\(key): \(problem)"
    }
}
