import RinglogCore
import RinglogEvents
import RinglogPipedrive

/// `ringlog check`'s look at `events.activity_types`: the keys are compared with the company's activity
/// types (`GET /v1/activityTypes`) by ``EventActivityTypeCheck``.
enum EventActivityTypeFindings {
    /// One `ok` line when every key is an active type, else one `error` line per unknown or inactive key
    /// with the fix; a `warn` line when the types cannot be read.
    static func check(_ settings: EventSettings, client: PipedriveClient) async -> [ConfigurationReport.Finding] {
        let types: [ActivityType]
        do {
            types = try await client.activityTypes()
        } catch {
            return [
                ConfigurationReport.Finding(
                    severity: .warning, subject: "events.activity_types",
                    detail: "cannot read the activity types (GET /v1/activityTypes): \(error)")
            ]
        }
        let problems = EventActivityTypeCheck.problems(configured: settings.activityTypes, available: types)
        guard !problems.isEmpty else {
            let keys = ContactEvent.Kind.allCases.map {
                "\($0.rawValue) → \(settings.activityTypes[$0] ?? EventActivityMapper.defaultType($0))"
            }
            return [
                ConfigurationReport.Finding(
                    severity: .ok, subject: "events.activity_types",
                    detail: "\(keys.joined(separator: ", ")) are active activity types")
            ]
        }
        return problems.map {
            ConfigurationReport.Finding(severity: .error, subject: $0.key, detail: $0.message)
        }
    }
}
