/// How far the writer has read one user's activities while looking for the marker lines of other users'
/// calls (`GET /api/v2/activities?owner_id=…&updated_since=…`, sorted by update time).
///
/// A scan covers the activities changed at or after ``coveredSince``. It is read in passes: a pass lists from
/// ``passStart`` page by page (``cursor``) to the end, and the next pass starts at the newest update time read
/// (``newestUpdate``), so each activity is read about once however many calls are reconciled. Progress is
/// kept after every page, so a pass cut by a rate limit or a timeout goes on where it stopped.
struct ActivityScanProgress: Equatable, Sendable {
    /// Activities changed at or after this time (Unix seconds) have been or are being read.
    private(set) var coveredSince: Int64
    /// The `updated_since` of the current pass (Unix seconds).
    private(set) var passStart: Int64
    /// The cursor of the next page of the current pass, `nil` at its start.
    private(set) var cursor: String?
    /// The newest update time read so far (Unix seconds).
    private(set) var newestUpdate: Int64

    /// A scan of the activities changed at or after `since` (Unix seconds).
    init(since: Int64) {
        coveredSince = since
        passStart = since
        newestUpdate = since
    }

    /// Whether the scan reads every activity changed at or after `since`.
    func covers(since: Int64) -> Bool { coveredSince <= since }

    /// Takes in a page read with ``passStart`` and ``cursor``: the update times of its activities and the page's
    /// next cursor.
    /// - Returns: whether the pass ended with this page (the lookup then has read everything up to now).
    mutating func read(updateTimes: [Int64], nextCursor: String?) -> Bool {
        newestUpdate = updateTimes.reduce(newestUpdate, max)
        guard let nextCursor else {
            // Inclusive: the next pass reads the newest second again, for activities changed within it later.
            passStart = newestUpdate
            cursor = nil
            return true
        }
        cursor = nextCursor
        return false
    }
}
