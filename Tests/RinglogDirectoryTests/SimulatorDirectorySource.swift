import Foundation
import RinglogCore
import RinglogPipedrive
import RinglogTestSupport

/// A test-only ``DirectorySource`` over ``PipedriveClient`` and the simulator: persons in v2 cursor pages of
/// 500, open deals from `GET /api/v2/deals?status=open`. The production adapter replaces it in the agent.
struct SimulatorDirectorySource: DirectorySource {
    let client: PipedriveClient
    let simulator: PipedriveSimulator

    func persons(updatedSince: String?, cursor: String?) async throws -> DirectoryPage<DirectoryPersonChange> {
        let since = try updatedSince.map { text in
            guard let date = ISO8601DateFormatter().date(from: text) else {
                throw PipedriveSimulator.Failure("watermark \(text) is not RFC 3339")
            }
            return date
        }
        let page = try await client.persons(updatedSince: since, cursor: cursor, limit: 500)
        let formatter = ISO8601DateFormatter()
        let changes = page.persons.map { person in
            DirectoryPersonChange(
                person: DirectoryPerson(
                    id: person.id, name: person.name, organizationID: person.organizationID, ownerID: person.ownerID,
                    phones: person.phones.map(\.value), emails: person.emails.map(\.value)),
                isDeleted: person.isDeleted, updatedAt: person.updateTime.map(formatter.string(from:)) ?? "")
        }
        return DirectoryPage(items: changes, nextCursor: page.nextCursor)
    }

    func openDeals(cursor: String?) async throws -> DirectoryPage<DirectoryDeal> {
        var query = "/api/v2/deals?status=open&limit=500"
        if let cursor, let encoded = cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics) {
            query += "&cursor=\(encoded)"
        }
        let data = try await simulator.data("GET", query, token: PipedriveSimulator.apiToken)
        let answer = try JSONDecoder().decode(DealList.self, from: data)
        return DirectoryPage(
            items: answer.data.map {
                DirectoryDeal(id: $0.id, personID: $0.personID, organizationID: $0.organizationID, ownerID: $0.ownerID)
            },
            nextCursor: answer.additionalData?.nextCursor)
    }

    /// The parts of `GET /api/v2/deals` the directory needs.
    private struct DealList: Decodable {
        struct Deal: Decodable {
            var id: Int
            var personID: Int?
            var organizationID: Int?
            var ownerID: Int

            enum CodingKeys: String, CodingKey {
                case id
                case personID = "person_id"
                case organizationID = "org_id"
                case ownerID = "owner_id"
            }
        }

        struct AdditionalData: Decodable {
            var nextCursor: String?

            enum CodingKeys: String, CodingKey { case nextCursor = "next_cursor" }
        }

        var data: [Deal]
        var additionalData: AdditionalData?

        enum CodingKeys: String, CodingKey {
            case data
            case additionalData = "additional_data"
        }
    }
}
