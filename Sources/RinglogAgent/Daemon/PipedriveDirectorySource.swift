import Foundation
import RinglogCore
import RinglogPipedrive

/// The contact directory's source: Pipedrive persons and deals (v2, pages of 500, `updated_since`).
///
/// Deals: a full listing asks for `status=open`; an incremental one for every status (`open,won,lost,deleted`)
/// changed since the watermark, so deals closed since the last sync leave the directory.
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

    /// One page of deals: the open ones, or every deal changed since `updatedSince`.
    public func deals(updatedSince: String?, cursor: String?) async throws -> DirectoryPage<DirectoryDealChange> {
        let since = updatedSince.flatMap(PipedriveTimestamp.parse)
        let statuses: [Deal.Status] = since == nil ? [.open] : Deal.Status.allCases
        let page = try await client.deals(statuses: statuses, updatedSince: since, cursor: cursor, limit: 500)
        let changes = page.deals.map { deal in
            DirectoryDealChange(
                deal: DirectoryDeal(
                    id: deal.id, personID: deal.personID, organizationID: deal.organizationID,
                    ownerID: deal.ownerID ?? 0),
                // A deal with no owner can never be "owned by the call's user": it is not kept.
                isOpen: deal.isOpen && deal.ownerID != nil,
                updatedAt: deal.updateTime.map(PipedriveTimestamp.rfc3339) ?? "")
        }
        return DirectoryPage(items: changes, nextCursor: page.nextCursor)
    }
}
