/// One page of `GET /api/v2/activities`.
public struct ActivityPage: Equatable, Sendable {
    /// The activities on this page.
    public var activities: [Activity]
    /// The cursor of the next page, or `nil` on the last page.
    public var nextCursor: String?

    /// Creates a page.
    public init(activities: [Activity], nextCursor: String?) {
        self.activities = activities
        self.nextCursor = nextCursor
    }
}
