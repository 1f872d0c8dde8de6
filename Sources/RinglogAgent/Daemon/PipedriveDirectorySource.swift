import Foundation
import RinglogCore
import RinglogPipedrive

/// The contact directory's source: Pipedrive persons (v2, pages of 500, `updated_since`).
///
/// Open deals are not read yet (the client has no deals endpoint): the shared-number policy then decides
/// without the deal rule.
public struct PipedriveDirectorySource: DirectorySource {
    private let client: PipedriveClient

    /// Creates a source over `client`.
    public init(client: PipedriveClient) {
        self.client = client
    }

    /// One page of persons.
    public func persons(updatedSince: String?, cursor: String?) async throws -> DirectoryPage<DirectoryPersonChange> {
        let since = updatedSince.flatMap(PipedriveTimestamp.parse)
        let page = try await client.persons(updatedSince: since, cursor: cursor, limit: 500)
        let changes = page.persons.map { person in
            DirectoryPersonChange(
                person: DirectoryPerson(
                    id: person.id, name: person.name, organizationID: person.organizationID,
                    ownerID: person.ownerID, phones: person.phones.map(\.value), emails: person.emails.map(\.value)),
                isDeleted: person.isDeleted,
                updatedAt: PipedriveTimestamp.rfc3339(
                    person.updateTime ?? person.addTime ?? Date(timeIntervalSince1970: 0))
            )
        }
        return DirectoryPage(items: changes, nextCursor: page.nextCursor)
    }

    /// Open deals: none yet (see the type's documentation).
    public func openDeals(cursor: String?) async throws -> DirectoryPage<DirectoryDeal> {
        DirectoryPage(items: [], nextCursor: nil)
    }
}
