import Foundation
import Testing

@testable import RinglogPipedrive

@Suite("Client endpoints against a fake transport")
struct PipedriveClientEndpointTests {
    let start = Date(timeIntervalSince1970: 1_658_559_600)  // 2022-07-23T07:00:00Z

    @Test("addCallLog sends the v1 shape and reads the string id")
    func addCallLog() async throws {
        let transport = FakeTransport(responses: [
            FakeResponse(
                json: """
                    {"success":true,"data":{"id":"CAd92b224eb4a39b5ad8fea92ff0e","activity_id":77,"user_id":1,
                    "outcome":"connected","to_phone_number":"+358401234567","start_time":"2022-07-23T07:00:00.000Z",
                    "end_time":"2022-07-23 07:02:05","duration":"125","person_id":5,"org_id":9,"has_recording":false,
                    "company_id":3}}
                    """)
        ])
        let client = Fixtures.client(transport)
        let log = try await client.addCallLog(
            NewCallLog(
                outcome: .connected, toPhoneNumber: "+358401234567", startTime: start,
                endTime: start.addingTimeInterval(125), fromPhoneNumber: "+35891234567", duration: .seconds(125),
                subject: "Call", userID: 1, personID: 5, organizationID: 9, note: "<b>hi</b>"))
        #expect(log.id == "CAd92b224eb4a39b5ad8fea92ff0e")
        #expect(log.activityID == 77)
        #expect(log.startTime == start)
        #expect(log.endTime == start.addingTimeInterval(125))
        #expect(log.duration == .seconds(125))
        #expect(log.outcome == .connected)
        let request = try #require(transport.requests.first)
        #expect(request.method == "POST")
        #expect(request.url.absoluteString == "https://acme.pipedrive.com/api/v1/callLogs")
        #expect(request.header("x-api-token") == Fixtures.apiToken)
        #expect(request.header("Authorization") == nil)
        #expect(request.header("Content-Type") == "application/json")
        let body = try #require(request.jsonBody)
        #expect(body["start_time"] as? String == "2022-07-23 07:00:00")
        #expect(body["end_time"] as? String == "2022-07-23 07:02:05")
        #expect(body["duration"] as? String == "125")
        #expect(body["outcome"] as? String == "connected")
        #expect(body["org_id"] as? Int == 9)
        #expect(body["lead_id"] == nil)
    }

    @Test("call log read, list with pagination, delete and recording upload")
    func callLogEndpoints() async throws {
        let transport = FakeTransport { request in
            switch (request.method, request.path) {
            case ("GET", "/api/v1/callLogs/CA%201"), ("GET", "/api/v1/callLogs/CA 1"):
                return FakeResponse(json: #"{"success":true,"data":{"id":"CA 1","has_recording":true}}"#)
            case ("GET", "/api/v1/callLogs"):
                return FakeResponse(
                    json: """
                        {"success":true,"data":[{"id":"a"},{"id":"b"}],
                         "additional_data":{"pagination":{"start":0,"limit":2,"more_items_in_collection":true,"next_start":2}}}
                        """)
            case ("DELETE", _):
                return FakeResponse(json: #"{"success":true}"#)
            case ("POST", "/api/v1/callLogs/a/recordings"):
                return FakeResponse(json: #"{"success":true}"#)
            default:
                return FakeResponse(404, json: #"{"success":false,"error":"unknown"}"#)
            }
        }
        let client = Fixtures.client(transport)
        #expect(try await client.callLog(id: "CA 1").hasRecording)
        let page = try await client.callLogs(start: 0, limit: 2)
        #expect(page.callLogs.map(\.id) == ["a", "b"])
        #expect(page.nextStart == 2)
        try await client.deleteCallLog(id: "a")
        try await client.attachRecording(Data([1, 2, 3]), fileName: "call.wav", toCallLog: "a")
        let requests = transport.requests
        #expect(requests[1].query == ["start": "0", "limit": "2"])
        #expect(requests[2].method == "DELETE")
        #expect(requests[2].path == "/api/v1/callLogs/a")
        let upload = requests[3]
        let contentType = try #require(upload.header("Content-Type"))
        #expect(contentType.hasPrefix("multipart/form-data; boundary="))
        let text = String(decoding: upload.body, as: UTF8.self)
        #expect(text.contains(#"Content-Disposition: form-data; name="file"; filename="call.wav""#))
        #expect(text.contains("Content-Type: audio/wav"))
    }

    @Test("users, users/me, activity types and recents")
    func v1Reads() async throws {
        let transport = FakeTransport { request in
            switch request.path {
            case "/api/v1/users":
                return FakeResponse(
                    json:
                        #"{"success":true,"data":[{"id":1,"name":"Anna","email":"a@x","active_flag":true,"phone":null}]}"#
                )
            case "/api/v1/users/me":
                return FakeResponse(
                    json: """
                        {"success":true,"data":{"id":1,"name":"Anna","company_id":3,"company_name":"Acme",
                         "company_domain":"acme"}}
                        """)
            case "/api/v1/activityTypes":
                return FakeResponse(
                    json:
                        #"{"success":true,"data":[{"id":1,"name":"Call","key_string":"call","active_flag":true,"is_custom_flag":false}]}"#
                )
            case "/api/v1/recents":
                return FakeResponse(
                    json: """
                        {"success":true,"data":[
                          {"item":"person","id":5,"data":{"id":5,"name":"Bo","phone":[{"value":"040 123","primary":true,"label":"work"}],
                           "org_id":{"name":"Acme","value":9},"update_time":"2026-01-01 10:00:00","active_flag":true}},
                          {"item":"user","id":1,"data":[{"id":1,"name":"Anna"}]},
                          {"item":"organization","id":9,"data":{"id":9,"name":"Acme","address":"Street 1"}}],
                         "additional_data":{"since_timestamp":"2026-01-01 00:00:00","last_timestamp_on_page":"2026-01-01 10:00:00",
                          "pagination":{"start":0,"limit":3,"more_items_in_collection":false}}}
                        """)
            default:
                return FakeResponse(404)
            }
        }
        let client = Fixtures.client(transport)
        #expect(try await client.users().map(\.name) == ["Anna"])
        let me = try await client.currentUser()
        #expect(me.companyDomain == "acme")
        #expect(try await client.activityTypes().first?.keyString == "call")
        let recents = try await client.recents(since: start, items: ["person", "user", "organization"])
        #expect(recents.changes.count == 3)
        let person = try #require(recents.changes[0].person)
        #expect(person.organizationID == 9)
        #expect(person.phones == [LabeledValue(value: "040 123", label: "work", isPrimary: true)])
        #expect(person.updateTime == PipedriveTimestamp.parse("2026-01-01T10:00:00Z"))
        #expect(recents.changes[1].user?.name == "Anna")
        #expect(recents.changes[2].organization?.address == "Street 1")
        #expect(recents.nextStart == nil)
        #expect(recents.lastTimestamp == PipedriveTimestamp.parse("2026-01-01 10:00:00"))
        let query = try #require(transport.requests.last).query
        #expect(query["since_timestamp"] == "2022-07-23 07:00:00")
        #expect(query["items"] == "person,user,organization")
    }

    @Test("v2 persons: list with cursor and updated_since, search by phone, get, create")
    func persons() async throws {
        let transport = FakeTransport { request in
            switch (request.method, request.path) {
            case ("GET", "/api/v2/persons"):
                return FakeResponse(
                    json: """
                        {"success":true,"data":[{"id":5,"name":"Bo","phones":[{"value":"+358401234567","primary":true,"label":"mobile"}],
                         "emails":[],"org_id":9,"owner_id":1,"update_time":"2026-01-01T10:00:00Z","is_deleted":false}],
                         "additional_data":{"next_cursor":"eyJpZCI6NX0"}}
                        """)
            case ("GET", "/api/v2/persons/search"):
                return FakeResponse(
                    json: """
                        {"success":true,"data":{"items":[{"result_score":1.5,"item":{"id":5,"type":"person","name":"Bo",
                         "phones":["+358401234567"],"emails":[],"organization":{"id":9,"name":"Acme"}}}]},
                         "additional_data":{"next_cursor":null}}
                        """)
            case ("GET", "/api/v2/persons/5"):
                return FakeResponse(json: #"{"success":true,"data":{"id":5,"name":"Bo","phones":[],"org_id":null}}"#)
            case ("POST", "/api/v2/persons"):
                return FakeResponse(
                    json: #"{"success":true,"data":{"id":6,"name":"New","phones":[{"value":"+1","primary":true}]}}"#)
            default:
                return FakeResponse(404)
            }
        }
        let client = Fixtures.client(transport)
        let page = try await client.persons(updatedSince: start, limit: 500)
        #expect(page.persons.first?.organizationID == 9)
        #expect(page.persons.first?.phones.first?.value == "+358401234567")
        #expect(page.nextCursor == "eyJpZCI6NX0")
        _ = try await client.persons(cursor: "eyJpZCI6NX0")
        let hits = try await client.searchPersons(phone: "+358401234567")
        #expect(
            hits == [
                PersonSearchHit(
                    personID: 5, name: "Bo", phones: ["+358401234567"], organizationID: 9, organizationName: "Acme",
                    score: 1.5)
            ])
        #expect(try await client.person(id: 5).organizationID == nil)
        let created = try await client.addPerson(
            NewPerson(name: "New", phones: [LabeledValue(value: "+1", isPrimary: true)]))
        #expect(created.id == 6)
        let requests = transport.requests
        #expect(
            requests[0].query == ["updated_since": "2022-07-23T07:00:00Z", "sort_by": "update_time", "limit": "500"])
        #expect(requests[1].query["cursor"] == "eyJpZCI6NX0")
        #expect(
            requests[2].query == ["term": "+358401234567", "fields": "phone", "exact_match": "true", "limit": "100"])
        #expect(requests[2].url.absoluteString.contains("term=%2B358401234567"))
        let body = try #require(requests[4].jsonBody)
        #expect(body["name"] as? String == "New")
        #expect((body["phones"] as? [[String: Any]])?.first?["primary"] as? Bool == true)
    }

    @Test("v2 organizations and activities")
    func organizationsAndActivities() async throws {
        let transport = FakeTransport { request in
            switch (request.method, request.path) {
            case ("GET", "/api/v2/organizations"):
                return FakeResponse(
                    json:
                        #"{"success":true,"data":[{"id":9,"name":"Acme","address":{"value":"Street 1"}}],"additional_data":{"next_cursor":null}}"#
                )
            case ("GET", "/api/v2/organizations/9"):
                return FakeResponse(json: #"{"success":true,"data":{"id":9,"name":"Acme","owner_id":1}}"#)
            case ("POST", "/api/v2/activities"), ("PATCH", "/api/v2/activities/40"):
                return FakeResponse(
                    json: """
                        {"success":true,"data":{"id":40,"subject":"Call","type":"call","owner_id":1,"person_id":null,
                         "participants":[{"person_id":5,"primary":true}],"org_id":9,"due_date":"2022-07-23","due_time":"07:00",
                         "duration":"00:02","done":true,"update_time":"2022-07-23T07:05:00Z"}}
                        """)
            default:
                return FakeResponse(404)
            }
        }
        let client = Fixtures.client(transport)
        let page = try await client.organizations()
        #expect(page.organizations.first?.address == "Street 1")
        #expect(page.nextCursor == nil)
        #expect(try await client.organization(id: 9).ownerID == 1)
        let fields = ActivityFields(
            subject: "Call", type: "call", ownerID: 1, personID: 5, organizationID: 9, due: start,
            duration: .seconds(125), done: true)
        let activity = try await client.addActivity(fields)
        #expect(activity.personID == 5)
        #expect(activity.due == start)
        #expect(activity.duration == .seconds(120))
        _ = try await client.updateActivity(id: 40, ActivityFields(done: true))
        let requests = transport.requests
        let created = try #require(requests[2].jsonBody)
        #expect(created["due_date"] as? String == "2022-07-23")
        #expect(created["due_time"] as? String == "07:00")
        #expect(created["duration"] as? String == "00:02")
        #expect(created["done"] as? Bool == true)
        #expect((created["participants"] as? [[String: Any]])?.first?["person_id"] as? Int == 5)
        #expect(requests[3].method == "PATCH")
        #expect(requests[3].jsonBody?.keys.sorted() == ["done"])
    }

    @Test("v2 activity list: filters, updated_since, cursor, limit and the typed page")
    func listActivities() async throws {
        let transport = FakeTransport { request in
            guard request.method == "GET", request.path == "/api/v2/activities" else { return FakeResponse(404) }
            let next = request.query["cursor"] == nil ? #""eyJpZCI6NDF9""# : "null"
            return FakeResponse(
                json: """
                    {"success":true,"data":[{"id":40,"subject":"Chat","type":"task","owner_id":3,"person_id":5,
                     "participants":[{"person_id":5,"primary":true}],"org_id":9,"done":true,
                     "note":"<p>ringlog-event:chat:C1</p>","update_time":"2022-07-23T07:05:00Z"}],
                     "additional_data":{"next_cursor":\(next)}}
                    """)
        }
        let client = Fixtures.client(transport)
        let filter = ActivityFilter(personID: 5, ownerID: 3, done: true, updatedSince: start)
        let page = try await client.activities(filter, limit: 1000)
        #expect(page.nextCursor == "eyJpZCI6NDF9")
        let activity = try #require(page.activities.first)
        #expect(activity.id == 40)
        #expect(activity.note == "<p>ringlog-event:chat:C1</p>")
        #expect(activity.ownerID == 3 && activity.personID == 5 && activity.organizationID == 9 && activity.done)
        #expect(activity.updateTime == start.addingTimeInterval(300))
        let last = try await client.activities(ActivityFilter(organizationID: 9, done: false), cursor: "eyJpZCI6NDF9")
        #expect(last.nextCursor == nil)
        _ = try await client.activities()
        let requests = transport.requests
        #expect(
            requests[0].query == [
                "person_id": "5", "owner_id": "3", "done": "true", "updated_since": "2022-07-23T07:00:00Z",
                "sort_by": "update_time", "limit": "500",
            ])
        #expect(requests[1].query == ["org_id": "9", "done": "false", "cursor": "eyJpZCI6NDF9", "limit": "500"])
        #expect(requests[2].query == ["limit": "500"])
        #expect(client.tokensSpent[.listActivities] == TokenLedger.Usage(requests: 3, tokens: 30))
        #expect(PipedriveEndpoint.listActivities.costKey == "GET /v2/activities")
    }

    @Test("any http(s) base URL works, with or without a trailing slash or path")
    func baseURL() async throws {
        let transport = FakeTransport(responses: [FakeResponse(json: #"{"success":true,"data":{"id":1,"name":"A"}}"#)])
        let client = PipedriveClient(
            configuration: .init(baseURL: URL(string: "http://127.0.0.1:8080/")!), credentials: .apiToken("t"),
            transport: transport)
        _ = try await client.currentUser()
        #expect(transport.requests.first?.url.absoluteString == "http://127.0.0.1:8080/api/v1/users/me")
    }

    @Test("tokens spent are counted per endpoint from the specs' costs")
    func ledger() async throws {
        let transport = FakeTransport { request in
            request.path.hasSuffix("/me")
                ? FakeResponse(json: #"{"success":true,"data":{"id":1,"name":"A"}}"#)
                : FakeResponse(json: #"{"success":true,"data":{"id":"x"}}"#)
        }
        let client = Fixtures.client(transport)
        _ = try await client.currentUser()
        _ = try await client.currentUser()
        _ = try await client.callLog(id: "x")
        #expect(client.tokensSpent[.getCurrentUser] == TokenLedger.Usage(requests: 2, tokens: 4))
        #expect(client.tokensSpent[.getCallLog] == TokenLedger.Usage(requests: 1, tokens: 2))
        #expect(client.ledger.totalTokens == 6)
        #expect(PipedriveEndpoint.addCallLog.tokenCost == 10)
        #expect(PipedriveEndpoint.searchPersons.tokenCost == 20)
        #expect(PipedriveEndpoint.allCases.allSatisfy { $0.tokenCost > 0 })
    }
}
