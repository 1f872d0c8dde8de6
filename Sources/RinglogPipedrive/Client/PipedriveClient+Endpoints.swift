import Foundation

extension PipedriveClient {
    // MARK: - Call logs (v1)

    /// Creates a call log (`POST /v1/callLogs`, 10 tokens).
    public func addCallLog(_ callLog: NewCallLog) async throws -> CallLog {
        try await fetch(CallLog.self, from: .addCallLog, body: json(callLog)).0
    }

    /// Reads one call log (`GET /v1/callLogs/{id}`, 2 tokens).
    public func callLog(id: String) async throws -> CallLog {
        try await fetch(CallLog.self, from: .getCallLog, id: id).0
    }

    /// Lists the authorised user's call logs (`GET /v1/callLogs`, 20 tokens).
    /// - Parameters:
    ///   - start: the offset of the first log.
    ///   - limit: logs per page, at most 50.
    public func callLogs(start: Int = 0, limit: Int = 50) async throws -> CallLogPage {
        let query = [
            URLQueryItem(name: "start", value: String(max(0, start))),
            URLQueryItem(name: "limit", value: String(min(max(1, limit), 50))),
        ]
        let (logs, additional) = try await fetch([CallLog].self, from: .listCallLogs, query: query)
        let pagination = additional?.pagination
        let nextStart =
            pagination?.moreItemsInCollection == true ? (pagination?.nextStart ?? start + logs.count) : nil
        return CallLogPage(callLogs: logs, nextStart: nextStart)
    }

    /// Deletes a call log and its recording, not its activity (`DELETE /v1/callLogs/{id}`, 6 tokens).
    public func deleteCallLog(id: String) async throws {
        _ = try await perform(.deleteCallLog, id: id)
    }

    /// Attaches an audio recording to a call log (`POST /v1/callLogs/{id}/recordings`, multipart, 10 tokens).
    /// - Throws: ``PipedriveError/conflict(message:)`` when the log already has a recording.
    public func attachRecording(
        _ audio: Data, fileName: String, contentType: String = "audio/wav", toCallLog id: String
    ) async throws {
        let boundary = "ringlog-\(UUID().uuidString)"
        var body = Data()
        let safeName = fileName.unicodeScalars.filter { $0 != "\"" && $0 != "\r" && $0 != "\n" }
            .map(String.init).joined()
        body.append(Data("--\(boundary)\r\n".utf8))
        body.append(Data("Content-Disposition: form-data; name=\"file\"; filename=\"\(safeName)\"\r\n".utf8))
        body.append(Data("Content-Type: \(contentType)\r\n\r\n".utf8))
        body.append(audio)
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        _ = try await perform(.addCallLogRecording, id: id, body: .multipart(body, boundary: boundary))
    }

    // MARK: - Users and activity types (v1)

    /// All users of the company (`GET /v1/users`, 20 tokens).
    public func users() async throws -> [PipedriveUser] {
        try await fetch([PipedriveUser].self, from: .listUsers).0
    }

    /// The authorised user and their company (`GET /v1/users/me`, 2 tokens).
    public func currentUser() async throws -> PipedriveUser {
        try await fetch(PipedriveUser.self, from: .getCurrentUser).0
    }

    /// The company's activity types (`GET /v1/activityTypes`, 20 tokens).
    public func activityTypes() async throws -> [ActivityType] {
        try await fetch([ActivityType].self, from: .listActivityTypes).0
    }

    // MARK: - Change feed (v1)

    /// Changes since `since` (`GET /v1/recents`, 20 tokens).
    /// - Parameters:
    ///   - items: the kinds of objects, e.g. `["person", "organization"]`; empty means all.
    ///   - start: the offset within the changes since `since`.
    ///   - limit: changes per page.
    public func recents(
        since: Date, items: [String] = [], start: Int = 0, limit: Int = 500
    ) async throws -> RecentsPage {
        var query = [URLQueryItem(name: "since_timestamp", value: PipedriveTimestamp.v1(since))]
        if !items.isEmpty { query.append(URLQueryItem(name: "items", value: items.joined(separator: ","))) }
        query.append(URLQueryItem(name: "start", value: String(max(0, start))))
        query.append(URLQueryItem(name: "limit", value: String(min(max(1, limit), 500))))
        let (changes, additional) = try await fetch([RecentChange].self, from: .listRecents, query: query)
        let pagination = additional?.pagination
        let nextStart =
            pagination?.moreItemsInCollection == true ? (pagination?.nextStart ?? start + changes.count) : nil
        return RecentsPage(
            changes: changes, nextStart: nextStart,
            lastTimestamp: additional?.lastTimestampOnPage.flatMap(PipedriveTimestamp.parse))
    }

    // MARK: - Persons (v2)

    /// One page of persons (`GET /api/v2/persons`, 10 tokens).
    /// - Parameters:
    ///   - updatedSince: only persons changed at or after this time (sorted by update time then).
    ///   - cursor: the ``PersonPage/nextCursor`` of the previous page.
    ///   - limit: persons per page, at most 500.
    public func persons(updatedSince: Date? = nil, cursor: String? = nil, limit: Int = 500) async throws -> PersonPage {
        let query = Self.listQuery(updatedSince: updatedSince, cursor: cursor, limit: limit)
        let (persons, additional) = try await fetch([Person].self, from: .listPersons, query: query)
        return PersonPage(persons: persons, nextCursor: additional?.nextCursor)
    }

    /// Persons whose phone number matches `phone` (`GET /api/v2/persons/search`, 20 tokens).
    /// - Parameters:
    ///   - exactMatch: match the whole stored value (case-insensitively) rather than a part of it.
    ///   - limit: hits to return, at most 500.
    public func searchPersons(phone: String, exactMatch: Bool = true, limit: Int = 100) async throws
        -> [PersonSearchHit]
    {
        let query = [
            URLQueryItem(name: "term", value: phone),
            URLQueryItem(name: "fields", value: "phone"),
            URLQueryItem(name: "exact_match", value: exactMatch ? "true" : "false"),
            URLQueryItem(name: "limit", value: String(min(max(1, limit), 500))),
        ]
        return try await fetch(SearchResults.self, from: .searchPersons, query: query).0.items
    }

    /// One person (`GET /api/v2/persons/{id}`, 1 token).
    public func person(id: Int) async throws -> Person {
        try await fetch(Person.self, from: .getPerson, id: String(id)).0
    }

    /// Creates a person (`POST /api/v2/persons`, 5 tokens).
    public func addPerson(_ person: NewPerson) async throws -> Person {
        try await fetch(Person.self, from: .addPerson, body: json(person)).0
    }

    // MARK: - Organizations (v2)

    /// One page of organisations (`GET /api/v2/organizations`, 10 tokens).
    public func organizations(updatedSince: Date? = nil, cursor: String? = nil, limit: Int = 500) async throws
        -> OrganizationPage
    {
        let query = Self.listQuery(updatedSince: updatedSince, cursor: cursor, limit: limit)
        let (organizations, additional) = try await fetch([Organization].self, from: .listOrganizations, query: query)
        return OrganizationPage(organizations: organizations, nextCursor: additional?.nextCursor)
    }

    /// One organisation (`GET /api/v2/organizations/{id}`, 1 token).
    public func organization(id: Int) async throws -> Organization {
        try await fetch(Organization.self, from: .getOrganization, id: String(id)).0
    }

    // MARK: - Activities (v2)

    /// Creates an activity (`POST /api/v2/activities`, 5 tokens).
    public func addActivity(_ fields: ActivityFields) async throws -> Activity {
        try await fetch(Activity.self, from: .addActivity, body: json(fields)).0
    }

    /// One page of activities (`GET /api/v2/activities`, 10 tokens), sorted by id, or by update time when
    /// `filter.updatedSince` is set.
    /// - Parameters:
    ///   - filter: which activities; the filters combine (all must hold).
    ///   - cursor: the ``ActivityPage/nextCursor`` of the previous page.
    ///   - limit: activities per page, at most 500.
    public func activities(_ filter: ActivityFilter = ActivityFilter(), cursor: String? = nil, limit: Int = 500)
        async throws -> ActivityPage
    {
        var query: [URLQueryItem] = []
        let references = [
            ("person_id", filter.personID), ("org_id", filter.organizationID), ("owner_id", filter.ownerID),
            ("deal_id", filter.dealID),
        ]
        for (name, value) in references {
            if let value { query.append(URLQueryItem(name: name, value: String(value))) }
        }
        if let done = filter.done { query.append(URLQueryItem(name: "done", value: done ? "true" : "false")) }
        query += Self.listQuery(updatedSince: filter.updatedSince, cursor: cursor, limit: limit)
        let (activities, additional) = try await fetch([Activity].self, from: .listActivities, query: query)
        return ActivityPage(activities: activities, nextCursor: additional?.nextCursor)
    }

    /// Changes the given fields of an activity (`PATCH /api/v2/activities/{id}`, 5 tokens).
    public func updateActivity(id: Int, _ fields: ActivityFields) async throws -> Activity {
        try await fetch(Activity.self, from: .updateActivity, id: String(id), body: json(fields)).0
    }

    // MARK: - Deals (v2)

    /// One page of deals (`GET /api/v2/deals`, 10 tokens), sorted by id, or by update time when
    /// `updatedSince` is set.
    /// - Parameters:
    ///   - statuses: which statuses to list, e.g. `[.open]`; empty lists every deal that is not deleted.
    ///     `.deleted` adds deals deleted in the last 30 days.
    ///   - updatedSince: only deals changed at or after this time.
    ///   - cursor: the ``DealPage/nextCursor`` of the previous page.
    ///   - limit: deals per page, at most 500.
    public func deals(
        statuses: [Deal.Status] = [.open], updatedSince: Date? = nil, cursor: String? = nil, limit: Int = 500
    ) async throws -> DealPage {
        var query: [URLQueryItem] = []
        if !statuses.isEmpty {
            query.append(URLQueryItem(name: "status", value: statuses.map(\.rawValue).joined(separator: ",")))
        }
        query += Self.listQuery(updatedSince: updatedSince, cursor: cursor, limit: limit)
        let (deals, additional) = try await fetch([Deal].self, from: .listDeals, query: query)
        return DealPage(deals: deals, nextCursor: additional?.nextCursor)
    }

    /// Creates a deal (`POST /api/v2/deals`, 5 tokens).
    public func addDeal(_ deal: NewDeal) async throws -> Deal {
        try await fetch(Deal.self, from: .addDeal, body: json(deal)).0
    }

    // MARK: - Helpers

    private static func listQuery(updatedSince: Date?, cursor: String?, limit: Int) -> [URLQueryItem] {
        var query: [URLQueryItem] = []
        if let updatedSince {
            query.append(URLQueryItem(name: "updated_since", value: PipedriveTimestamp.rfc3339(updatedSince)))
            query.append(URLQueryItem(name: "sort_by", value: "update_time"))
        }
        if let cursor { query.append(URLQueryItem(name: "cursor", value: cursor)) }
        query.append(URLQueryItem(name: "limit", value: String(min(max(1, limit), 500))))
        return query
    }

    /// `data` of a v2 search: `{items: [...]}`.
    private struct SearchResults: Decodable {
        var items: [PersonSearchHit]
    }
}
