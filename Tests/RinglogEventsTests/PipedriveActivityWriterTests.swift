import Foundation
import RinglogCore
import RinglogEvents
import RinglogPipedrive
import Synchronization
import Testing

/// Pipedrive as a function of the request; every request is kept.
private final class ScriptedTransport: HTTPTransport {
    private let answer: @Sendable (HTTPRequest) -> (Int, String)
    private let sent = Locked<[HTTPRequest]>([])

    init(_ answer: @escaping @Sendable (HTTPRequest) -> (Int, String)) {
        self.answer = answer
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        sent.withLock { $0.append(request) }
        let (status, json) = answer(request)
        return HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: Data(json.utf8))
    }

    /// The query of every request, in order.
    var queries: [[String: String]] {
        sent.withLock { requests in
            requests.map { request in
                let items = URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.queryItems
                return Dictionary((items ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
            }
        }
    }

    var paths: [String] { sent.withLock { $0.map { $0.url.path } } }
}

@Suite("Finding an interrupted event's activity")
struct PipedriveActivityWriterTests {
    private static let since: Int64 = 1_795_183_449  // 2026-11-20T14:04:09Z

    private static func writer(_ transport: ScriptedTransport) -> PipedriveActivityWriter {
        PipedriveActivityWriter(
            client: PipedriveClient(
                configuration: .init(baseURL: URL(string: "https://acme.pipedrive.com") ?? URL(fileURLWithPath: "/")),
                credentials: .apiToken("token"), transport: transport))
    }

    private static func draft(personID: Int?, organizationID: Int?, marker: String = "ringlog-event:chat:K-3")
        -> ActivityDraft
    {
        ActivityDraft(
            subject: "Chat", type: "task", ownerID: 3, personID: personID, organizationID: organizationID,
            dueDate: "2026-11-20", dueTime: "14:05", duration: nil, note: "<p>x</p><p>\(marker)</p>", marker: marker)
    }

    private static func page(_ notes: [(Int, String)], next: String?) -> String {
        let items = notes.map { id, note in
            #"{"id":\#(id),"owner_id":3,"done":true,"note":"\#(note)","update_time":"2026-11-20T14:05:00Z"}"#
        }
        return
            #"{"success":true,"data":[\#(items.joined(separator: ","))],"additional_data":{"next_cursor":\#(next.map { "\"\($0)\"" } ?? "null")}}"#
    }

    @Test("the person's done activities since the attempt, page by page, until the exact marker")
    func findsOnALaterPage() async throws {
        let transport = ScriptedTransport { request in
            let cursor = URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.queryItems?
                .first { $0.name == "cursor" }?.value
            return cursor == nil
                ? (
                    200,
                    Self.page([(70, "<p>ringlog-event:chat:K-30</p>"), (71, "ringlog-event:chat:K-3 x")], next: "c2")
                )
                : (200, Self.page([(72, "<p>Chat</p><p>ringlog-event:chat:K-3</p>")], next: nil))
        }
        let found = try await Self.writer(transport).findActivity(
            matching: Self.draft(personID: 10, organizationID: 20), since: Self.since)
        #expect(found == 72)
        #expect(transport.paths == ["/api/v2/activities", "/api/v2/activities"])
        #expect(
            transport.queries[0] == [
                "person_id": "10", "done": "true", "updated_since": "2026-11-20T14:04:09Z", "sort_by": "update_time",
                "limit": "500",
            ])
        #expect(transport.queries[1]["cursor"] == "c2")
    }

    @Test("without a person the organisation is searched, without either the owner; nothing found is nil")
    func narrowsToOrganizationOrOwner() async throws {
        let transport = ScriptedTransport { _ in (200, Self.page([(5, "<p>other</p>")], next: nil)) }
        let writer = Self.writer(transport)
        #expect(try await writer.findActivity(matching: Self.draft(personID: nil, organizationID: 20), since: 0) == nil)
        #expect(
            try await writer.findActivity(matching: Self.draft(personID: nil, organizationID: nil), since: 0) == nil)
        #expect(transport.queries[0]["org_id"] == "20" && transport.queries[0]["person_id"] == nil)
        #expect(transport.queries[1]["owner_id"] == "3" && transport.queries[1]["org_id"] == nil)
    }

    @Test("a refused lookup cannot check; a temporary error waits for a retry")
    func errors() async throws {
        let refused = ScriptedTransport { _ in
            (403, #"{"success":false,"error":"Scope and URL mismatch"}"#)
        }
        do {
            _ = try await Self.writer(refused).findActivity(
                matching: Self.draft(personID: 1, organizationID: nil), since: 0)
            Issue.record("expected cannotLookUp")
        } catch ActivityWriteError.cannotLookUp(let message) {
            #expect(message.contains("Scope and URL mismatch"))
        }
        let unavailable = ScriptedTransport { _ in (503, #"{"success":false,"error":"unavailable"}"#) }
        do {
            _ = try await Self.writer(unavailable).findActivity(
                matching: Self.draft(personID: 1, organizationID: nil), since: 0)
            Issue.record("expected a retryable error")
        } catch ActivityWriteError.retryable {}
    }

    @Test("markers match as whole paragraphs, escaped as the note holds them")
    func markerMatch() {
        let marker = "ringlog-event:ticket:A&B<1>"
        let note = "<p>Hi</p><p>ringlog-event:ticket:A&amp;B&lt;1&gt;</p>"
        #expect(EventNoteMarker.note(note, contains: marker))
        #expect(!EventNoteMarker.note(note, contains: "ringlog-event:ticket:A"))
        #expect(!EventNoteMarker.note("<p>ringlog-event:chat:K-30</p>", contains: "ringlog-event:chat:K-3"))
        #expect(EventNoteMarker.note("<p>ringlog-event:chat:K-3</p>", contains: "ringlog-event:chat:K-3"))
        #expect(!EventNoteMarker.note(nil, contains: "ringlog-event:chat:K-3"))
    }
}
