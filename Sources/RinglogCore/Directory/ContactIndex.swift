/// The local contact directory's lookup structure: E.164 number → persons, e-mail → persons.
///
/// Every stored phone value, in whatever format a user typed it, is normalised with the core's phone code
/// into a ``PhoneKey``; a lookup is one hash probe. Only what matching needs is kept in memory (names and
/// raw values stay in the SQLite directory), so 100,000 persons fit in a few megabytes.
public struct ContactIndex: Sendable {
    /// What the index keeps of one person.
    public struct Entry: Sendable, Equatable {
        /// The person's id.
        public var personID: Int
        /// The person's organisation.
        public var organizationID: Int?
        /// The user who owns the person.
        public var ownerID: Int?
        /// The person's last activity, seconds since the Unix epoch.
        public var lastActivityAt: Int64?
        /// The person's numbers, normalised (kept so an update or deletion can unlink them).
        public var phoneKeys: [PhoneKey]
        /// The person's e-mail addresses, lower case.
        public var emails: [String]

        /// Creates an entry; the index makes these from ``DirectoryPerson`` values.
        public init(
            personID: Int, organizationID: Int?, ownerID: Int?, lastActivityAt: Int64?, phoneKeys: [PhoneKey],
            emails: [String]
        ) {
            self.personID = personID
            self.organizationID = organizationID
            self.ownerID = ownerID
            self.lastActivityAt = lastActivityAt
            self.phoneKeys = phoneKeys
            self.emails = emails
        }
    }

    private let normalizer: PhoneNumberNormalizer
    private var entries: [Int: Entry] = [:]
    private var personsByPhone: [PhoneKey: PersonIDs] = [:]
    private var personsByEmail: [String: PersonIDs] = [:]

    /// Creates an empty index that reads phone values with `normalizer`.
    public init(normalizer: PhoneNumberNormalizer) {
        self.normalizer = normalizer
    }

    /// How many persons are indexed.
    public var personCount: Int { entries.count }
    /// How many distinct numbers are indexed.
    public var phoneCount: Int { personsByPhone.count }

    /// Adds a person, or replaces what the index had for the same id (an update or a merge).
    /// - Returns: the phone values that did not normalise, for `ringlog check` to report.
    @discardableResult
    public mutating func upsert(_ person: DirectoryPerson) -> [String] {
        remove(personID: person.id)
        var keys: [PhoneKey] = []
        var unreadable: [String] = []
        for raw in person.phones {
            guard let e164 = normalizer.normalize(raw)?.e164, let key = PhoneKey(e164: e164) else {
                if !raw.isEmpty { unreadable.append(raw) }
                continue
            }
            if !keys.contains(key) { keys.append(key) }
        }
        var emails: [String] = []
        for raw in person.emails {
            let email = raw.lowercased()
            if email.contains("@"), !emails.contains(email) { emails.append(email) }
        }
        for key in keys { personsByPhone[key, default: PersonIDs()].insert(person.id) }
        for email in emails { personsByEmail[email, default: PersonIDs()].insert(person.id) }
        entries[person.id] = Entry(
            personID: person.id, organizationID: person.organizationID, ownerID: person.ownerID,
            lastActivityAt: person.lastActivityAt, phoneKeys: keys, emails: emails)
        return unreadable
    }

    /// Removes a person (deleted in Pipedrive, or merged into another).
    public mutating func remove(personID: Int) {
        guard let old = entries.removeValue(forKey: personID) else { return }
        for key in old.phoneKeys {
            personsByPhone[key]?.remove(personID)
            if personsByPhone[key]?.isEmpty == true { personsByPhone[key] = nil }
        }
        for email in old.emails {
            personsByEmail[email]?.remove(personID)
            if personsByEmail[email]?.isEmpty == true { personsByEmail[email] = nil }
        }
    }

    /// The persons who have this number, lowest id first.
    public func entries(for key: PhoneKey) -> [Entry] {
        personsByPhone[key]?.ids.compactMap { entries[$0] } ?? []
    }

    /// The persons who have this e-mail address (compared case-insensitively), lowest id first.
    public func entries(forEmail email: String) -> [Entry] {
        personsByEmail[email.lowercased()]?.ids.compactMap { entries[$0] } ?? []
    }

    /// What the index has for one person.
    public func entry(personID: Int) -> Entry? { entries[personID] }

    /// Whether the number is known to the index: the cheap test on the hot path.
    public func contains(_ key: PhoneKey) -> Bool { personsByPhone[key] != nil }
}

/// A sorted set of person ids that stores the common case, one person, without a heap allocation.
private struct PersonIDs: Sendable {
    private var first: Int?
    private var more: [Int] = []

    var isEmpty: Bool { first == nil }

    var ids: [Int] {
        guard let first else { return [] }
        return [first] + more
    }

    mutating func insert(_ id: Int) {
        guard let current = first else {
            first = id
            return
        }
        if id == current || more.contains(id) { return }
        if id < current {
            first = id
            more.insert(current, at: 0)
        } else {
            more.insert(id, at: more.firstIndex { $0 > id } ?? more.endIndex)
        }
    }

    mutating func remove(_ id: Int) {
        if first == id {
            first = more.isEmpty ? nil : more.removeFirst()
        } else {
            more.removeAll { $0 == id }
        }
    }
}
