import RinglogCore
import RinglogPipedrive

/// Checks `events.activity_types` against the company's activity types (`GET /v1/activityTypes`), for
/// `ringlog check`: a key that does not exist or is inactive makes Pipedrive refuse every activity of
/// that kind.
public enum EventActivityTypeCheck {
    /// One problem, naming the configuration key and the fix.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// `events.activity_types.chat` or `.ticket`.
        public var key: String
        /// What is wrong and what to write.
        public var message: String

        public var description: String { "\(key): \(message)" }
    }

    /// The problems of `configured` among `available` types; empty when every key is an active type.
    public static func problems(configured: [ContactEvent.Kind: String], available: [ActivityType]) -> [Problem] {
        let active = available.filter(\.isActive).map(\.keyString).sorted()
        var problems: [Problem] = []
        for kind in ContactEvent.Kind.allCases {
            let key = "events.activity_types.\(kind.rawValue)"
            let configuredKey = configured[kind] ?? EventActivityMapper.defaultType(kind)
            guard !active.contains(configuredKey) else { continue }
            if let type = available.first(where: { $0.keyString == configuredKey }) {
                problems.append(
                    Problem(
                        key: key,
                        message: "'\(configuredKey)' (\(type.name)) is inactive in Pipedrive; activate it or use one "
                            + "of: \(active.joined(separator: ", "))"))
            } else {
                problems.append(
                    Problem(
                        key: key,
                        message: "'\(configuredKey)' is not an activity type of this company; use one of: "
                            + "\(active.joined(separator: ", ")) (or create the type in Pipedrive first)"))
            }
        }
        return problems
    }
}
