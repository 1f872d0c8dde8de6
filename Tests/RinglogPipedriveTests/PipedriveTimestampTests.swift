import Foundation
import Testing

@testable import RinglogPipedrive

@Suite("Pipedrive timestamps")
struct PipedriveTimestampTests {
    static let reference = Date(timeIntervalSince1970: 1_658_559_600)  // 2022-07-23T07:00:00Z

    @Test(
        "parses v1, v2 and ISO forms",
        arguments: [
            "2022-07-23 07:00:00", "2022-07-23T07:00:00Z", "2022-07-23T07:00:00.000Z", "2022-07-23T09:00:00+02:00",
            "2022-07-23T02:00:00-05:00", "2022-07-23T07:00:00",
        ])
    func parses(text: String) {
        #expect(PipedriveTimestamp.parse(text) == Self.reference)
    }

    @Test(
        "rejects what is not a timestamp", arguments: ["", "yesterday", "2022-13-01", "2022-07-23 7:00", "2022-07-23X"])
    func rejects(text: String) {
        #expect(PipedriveTimestamp.parse(text) == nil)
    }

    @Test("formats for v1 and v2")
    func formats() {
        #expect(PipedriveTimestamp.v1(Self.reference) == "2022-07-23 07:00:00")
        #expect(PipedriveTimestamp.rfc3339(Self.reference) == "2022-07-23T07:00:00Z")
        #expect(PipedriveTimestamp.day(Self.reference) == "2022-07-23")
        #expect(PipedriveTimestamp.timeOfDay(Self.reference) == "07:00")
        #expect(PipedriveTimestamp.hoursAndMinutes(.seconds(4830)) == "01:21")
        #expect(PipedriveTimestamp.parse("2024-02-29") == Date(timeIntervalSince1970: 1_709_164_800))
        #expect(PipedriveTimestamp.v1(Date(timeIntervalSince1970: 1_709_164_800)) == "2024-02-29 00:00:00")
    }

    @Test("the daily reset is the next midnight UTC")
    func nextMidnight() {
        #expect(PipedriveTimestamp.nextMidnightUTC(after: Self.reference) == Date(timeIntervalSince1970: 1_658_620_800))
        let midnight = Date(timeIntervalSince1970: 1_658_620_800)
        #expect(PipedriveTimestamp.nextMidnightUTC(after: midnight) == midnight.addingTimeInterval(86_400))
    }
}
