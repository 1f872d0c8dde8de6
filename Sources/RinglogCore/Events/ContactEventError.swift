/// Why one line of event input was refused: the field, what is wrong and what to write instead.
public struct ContactEventError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field at fault, e.g. `time`; `nil` when the line as a whole is wrong.
    public var field: String?
    /// What is wrong and how to fix it.
    public var problem: String

    /// Creates an error about `field`.
    public init(field: String?, _ problem: String) {
        self.field = field
        self.problem = problem
    }

    public var description: String {
        field.map { "\($0): \(problem)" } ?? problem
    }
}
