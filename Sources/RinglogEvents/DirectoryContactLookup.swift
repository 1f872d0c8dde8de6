import RinglogCore
import RinglogStore

/// Matches events with the local contact directory: by number first (the shared-number policy chooses
/// among persons who share it), then by e-mail (the same policy among persons who share the address).
public struct DirectoryContactLookup: ContactLookup {
    private let directory: Directory

    /// Uses `directory`.
    public init(directory: Directory) {
        self.directory = directory
    }

    public func contact(e164: String?, email: String?, userID: Int?) async -> EventTarget? {
        if let e164, let choice = await directory.match(e164: e164, userID: userID) {
            return EventTarget(ownerID: userID, personID: choice.personID, organizationID: choice.organizationID)
        }
        if let email {
            let candidates = await directory.persons(withEmail: email)
            if let choice = SharedNumberPolicy.choose(among: candidates, openDeals: [], userID: userID) {
                return EventTarget(ownerID: userID, personID: choice.personID, organizationID: choice.organizationID)
            }
        }
        return nil
    }

    public func didCreatePerson(id: Int, phone e164: String?, email: String?, name: String) async {
        let person = DirectoryPerson(
            id: id, name: name, phones: e164.map { [$0] } ?? [], emails: email.map { [$0] } ?? [])
        try? await directory.insert(person, updatedAt: "")
    }
}
