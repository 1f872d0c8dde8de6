import RinglogCore
import Testing

@Suite("Capture time")
struct CaptureTimeTests {
    @Test("seconds and microseconds combine")
    func combines() {
        #expect(
            CaptureTime(seconds: 1_763_700_000, microseconds: 123_456).microsecondsSinceEpoch == 1_763_700_000_123_456)
        #expect(
            CaptureTime(seconds: 1, microseconds: 0).seconds(until: CaptureTime(seconds: 3, microseconds: 500_000))
                == 2.5)
    }

    @Test("absurd values from hostile input saturate instead of trapping")
    func saturates() {
        #expect(CaptureTime(seconds: .max, microseconds: 0).microsecondsSinceEpoch == .max)
        #expect(CaptureTime(seconds: .min, microseconds: 0).microsecondsSinceEpoch == .min)
        #expect(CaptureTime(seconds: 9_223_372_036_854, microseconds: .max).microsecondsSinceEpoch == .max)
        #expect(CaptureTime(seconds: -9_223_372_036_854, microseconds: .min).microsecondsSinceEpoch == .min)
    }
}
