/// The local contact directory's lookup structure: E.164 number → persons, e-mail → persons.
///
/// Every stored phone value, in whatever format a user typed it, is normalised with the core's phone code
/// into a ``PhoneKey``; a lookup is one hash probe. Only what matching needs is kept in memory (names and
/// raw values stay in the SQLite directory), in fixed-size records and flat hash tables: 100,000 persons
/// with 200,000 numbers take about 20 MB (see docs/benchmarks.md).
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
    /// One record per slot; slots of removed persons are reused.
    private var records: [StoredPerson] = []
    private var freeSlots: [Int32] = []
    private var slotOfPerson: [Int: Int32] = [:]
    private var personsByPhone = PersonSlotMap()
    /// Keyed by a 64-bit hash of the lower-case address; a lookup compares the stored address too, so two
    /// addresses with the same hash never mix.
    private var personsByEmail = PersonSlotMap()
    /// Phone keys of persons with more than two numbers (the first two are stored in the record).
    private var extraPhones: [Int32: [PhoneKey]] = [:]
    /// Every person's lower-case e-mail addresses, NUL-separated, one run per person.
    private var emailBytes: [UInt8] = []
    /// Bytes of `emailBytes` that belong to removed or replaced persons, reclaimed by compaction.
    private var unusedEmailBytes = 0

    /// Creates an empty index that reads phone values with `normalizer`.
    public init(normalizer: PhoneNumberNormalizer) {
        self.normalizer = normalizer
    }

    /// How many persons are indexed.
    public var personCount: Int { slotOfPerson.count }
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
            // NUL separates addresses in storage; no real address contains one.
            if email.contains("@"), !email.utf8.contains(0), !emails.contains(email) { emails.append(email) }
        }

        let slot: Int32
        if let free = freeSlots.popLast() {
            slot = free
        } else {
            slot = Int32(records.count)
            records.append(StoredPerson())
        }
        let emailStart = emailBytes.count
        for (offset, email) in emails.enumerated() {
            if offset > 0 { emailBytes.append(0) }
            emailBytes.append(contentsOf: email.utf8)
        }
        records[Int(slot)] = StoredPerson(
            personID: person.id, organizationID: person.organizationID, ownerID: person.ownerID,
            lastActivityAt: person.lastActivityAt, phoneKeys: keys, emailOffset: emailStart,
            emailLength: emailBytes.count - emailStart)
        if keys.count > 2 { extraPhones[slot] = keys }
        slotOfPerson[person.id] = slot
        let records = self.records
        let order = { (slot: Int32) in records[Int(slot)].personID }
        for key in keys { personsByPhone.insert(slot, for: key.rawValue, personID: order) }
        for email in emails { personsByEmail.insert(slot, for: Self.hash(email), personID: order) }
        return unreadable
    }

    /// Removes a person (deleted in Pipedrive, or merged into another).
    public mutating func remove(personID: Int) {
        guard let slot = slotOfPerson.removeValue(forKey: personID) else { return }
        let record = records[Int(slot)]
        for key in phoneKeys(of: record, slot: slot) { personsByPhone.remove(slot, for: key.rawValue) }
        for email in emails(of: record) { personsByEmail.remove(slot, for: Self.hash(email)) }
        extraPhones[slot] = nil
        unusedEmailBytes += record.emailLength
        records[Int(slot)] = StoredPerson()
        freeSlots.append(slot)
        if unusedEmailBytes > 4_096 && unusedEmailBytes > emailBytes.count / 2 { compactEmails() }
    }

    /// The persons who have this number, lowest id first.
    public func entries(for key: PhoneKey) -> [Entry] {
        var found: [Entry] = []
        personsByPhone.forEachSlot(key.rawValue) { found.append(entry(slot: $0)) }
        return found
    }

    /// The persons who have this e-mail address (compared case-insensitively), lowest id first.
    public func entries(forEmail email: String) -> [Entry] {
        let email = email.lowercased()
        var found: [Entry] = []
        personsByEmail.forEachSlot(Self.hash(email)) { slot in
            let candidate = entry(slot: slot)
            if candidate.emails.contains(email) { found.append(candidate) }
        }
        return found
    }

    /// What the index has for one person.
    public func entry(personID: Int) -> Entry? { slotOfPerson[personID].map(entry(slot:)) }

    /// Whether the number is known to the index: the cheap test on the hot path.
    public func contains(_ key: PhoneKey) -> Bool { personsByPhone.contains(key.rawValue) }

    private func entry(slot: Int32) -> Entry {
        let record = records[Int(slot)]
        return Entry(
            personID: record.personID, organizationID: record.organizationID, ownerID: record.ownerID,
            lastActivityAt: record.lastActivityAt, phoneKeys: phoneKeys(of: record, slot: slot),
            emails: emails(of: record))
    }

    private func phoneKeys(of record: StoredPerson, slot: Int32) -> [PhoneKey] {
        if let extra = extraPhones[slot] { return extra }
        return [record.firstPhone, record.secondPhone].compactMap { $0 == 0 ? nil : PhoneKey(packed: $0) }
    }

    private func emails(of record: StoredPerson) -> [String] {
        guard record.emailLength > 0 else { return [] }
        let bytes = emailBytes[record.emailOffset..<record.emailOffset + record.emailLength]
        return bytes.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Rewrites the e-mail storage with only the live persons' addresses.
    private mutating func compactEmails() {
        var compacted: [UInt8] = []
        compacted.reserveCapacity(emailBytes.count - unusedEmailBytes)
        for slot in slotOfPerson.values {
            let record = records[Int(slot)]
            let start = compacted.count
            compacted.append(contentsOf: emailBytes[record.emailOffset..<record.emailOffset + record.emailLength])
            records[Int(slot)].emailOffset = start
        }
        emailBytes = compacted
        unusedEmailBytes = 0
    }

    /// FNV-1a over the address's UTF-8 bytes: stable, and cheap enough for the sync path.
    private static func hash(_ email: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in email.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return hash
    }
}

/// One person in the index's storage: fixed size, no heap allocation of its own.
private struct StoredPerson: Sendable {
    private static let none = Int.min

    var personID = 0
    private var organization = none
    private var owner = none
    private var lastActivity = Int64.min
    /// The first two numbers' packed keys, 0 for none (no number packs to 0).
    private(set) var firstPhone: UInt64 = 0
    private(set) var secondPhone: UInt64 = 0
    private var emailStart: UInt32 = 0
    private var emailCount: UInt32 = 0

    init() {}

    init(
        personID: Int, organizationID: Int?, ownerID: Int?, lastActivityAt: Int64?, phoneKeys: [PhoneKey],
        emailOffset: Int, emailLength: Int
    ) {
        self.personID = personID
        organization = organizationID ?? Self.none
        owner = ownerID ?? Self.none
        lastActivity = lastActivityAt ?? .min
        firstPhone = phoneKeys.first?.rawValue ?? 0
        secondPhone = phoneKeys.count > 1 ? phoneKeys[1].rawValue : 0
        self.emailOffset = emailOffset
        emailCount = UInt32(emailLength)
    }

    var organizationID: Int? { organization == Self.none ? nil : organization }
    var ownerID: Int? { owner == Self.none ? nil : owner }
    var lastActivityAt: Int64? { lastActivity == .min ? nil : lastActivity }
    var emailOffset: Int {
        get { Int(emailStart) }
        set { emailStart = UInt32(newValue) }
    }
    var emailLength: Int { Int(emailCount) }
}
