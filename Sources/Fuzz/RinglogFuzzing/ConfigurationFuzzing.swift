import Foundation
import RinglogCore

/// Fuzzes tenant configuration parsing: one input is one configuration file, as edited by hand.
///
/// Parses the JSON and validates it as a tenant configuration; each step either succeeds or throws its own
/// error with a message that says what is wrong.
public enum ConfigurationFuzzing {
    /// Runs one input.
    public static func run(_ input: UnsafeBufferPointer<UInt8>) throws(FuzzInvariantViolation) {
        let json: JSONValue
        do {
            json = try JSONValue(parsing: Data(input))
        } catch {
            try require(!error.description.isEmpty, "a JSON syntax error without a message")
            return
        }
        do {
            _ = try TenantConfiguration(json: json)
        } catch {
            try require(!error.description.isEmpty, "a configuration error without a message")
        }
    }
}
