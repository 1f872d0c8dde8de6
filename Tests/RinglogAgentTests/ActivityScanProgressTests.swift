import Testing

@testable import RinglogAgent

@Suite("Reconciliation scans of another user's activities")
struct ActivityScanProgressTests {
    @Test("a pass goes page by page and the next one starts at the newest update time read")
    func passes() {
        var progress = ActivityScanProgress(since: 1_000)
        #expect(progress.passStart == 1_000 && progress.cursor == nil)
        let firstPageEnded = progress.read(updateTimes: [1_000, 1_005], nextCursor: "page-2")
        #expect(!firstPageEnded)
        #expect(progress.passStart == 1_000 && progress.cursor == "page-2")
        let lastPageEnded = progress.read(updateTimes: [1_007, 1_006], nextCursor: nil)
        #expect(lastPageEnded)
        #expect(progress.passStart == 1_007 && progress.cursor == nil && progress.newestUpdate == 1_007)
        // An empty pass keeps where it was.
        let emptyPassEnded = progress.read(updateTimes: [], nextCursor: nil)
        #expect(emptyPassEnded && progress.passStart == 1_007)
    }

    @Test("a scan covers lookups from its start on, not earlier ones")
    func coverage() {
        let progress = ActivityScanProgress(since: 1_000)
        #expect(progress.covers(since: 1_000))
        #expect(progress.covers(since: 5_000))
        #expect(!progress.covers(since: 999))
    }
}
