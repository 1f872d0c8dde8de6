import Foundation
import RinglogTestSupport

extension PipedriveSimulator {
    /// The activities the simulator holds whose note carries a ringlog event marker, by marker.
    func eventActivities() async throws -> [String: [[String: Any]]] {
        var byMarker: [String: [[String: Any]]] = [:]
        for activity in try await state()["activities"] as? [[String: Any]] ?? [] {
            guard let note = activity["note"] as? String, let range = note.range(of: "ringlog-event:") else {
                continue
            }
            let marker = String(note[range.lowerBound...].prefix { $0 != "<" })
            byMarker[marker, default: []].append(activity)
        }
        return byMarker
    }
}
