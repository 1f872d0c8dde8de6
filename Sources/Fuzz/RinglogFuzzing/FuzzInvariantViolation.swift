/// A fuzz input broke a promise of the code under test (a wrong result, not a crash).
///
/// The fuzz targets turn it into a crash so that libFuzzer keeps the input; the regression tests report it.
public struct FuzzInvariantViolation: Error, Equatable, Sendable, CustomStringConvertible {
    /// What was broken, with the values involved.
    public var description: String

    /// Creates a violation.
    public init(_ description: String) { self.description = description }
}

/// Throws ``FuzzInvariantViolation`` with `message` unless `condition` holds.
func require(_ condition: Bool, _ message: @autoclosure () -> String) throws(FuzzInvariantViolation) {
    if !condition { throw FuzzInvariantViolation(message()) }
}
