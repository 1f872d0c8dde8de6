import RinglogCore
import RinglogEvents

/// Fuzzes the chat/ticket event intake: one input is a piece of a JSON Lines file, as another system writes it
/// into the spool directory or onto `ringlog event`'s standard input.
///
/// The bytes are split into lines by ``JSONLinesReader`` (fed in two chunks, split where the first byte says,
/// with a small line limit so that too-long lines occur) and every line goes through ``ContactEventParser``.
/// Promises checked: line numbers count up by one, kept lines stay within the limit and too-long ones keep at
/// most their prefix; a refused line has a reason; an accepted event encodes to one canonical line that parses
/// back to the same event and encodes the same again; its activity has a subject of at most 256 characters and
/// a note that ends with the event's marker (escaped).
public enum EventLineFuzzing {
    /// The line limit used here: small, so the fuzzer reaches the too-long path.
    static let maximumLineBytes = 4_096

    /// Runs one input.
    public static func run(_ input: UnsafeBufferPointer<UInt8>) throws(FuzzInvariantViolation) {
        var reader = JSONLinesReader(maximumLineBytes: maximumLineBytes)
        let split = input.isEmpty ? 0 : Int(input[0]) * input.count / 256
        var lines = reader.append(input[..<split])
        lines += reader.append(input[split...])
        lines += reader.finish()
        var expectedNumber = 1
        for line in lines {
            switch line {
            case .text(let number, let bytes):
                try require(number == expectedNumber, "line \(number) where \(expectedNumber) was due")
                try require(bytes.count <= maximumLineBytes, "a kept line of \(bytes.count) bytes")
                try check(line: bytes)
            case .tooLong(let number, let prefix, let byteCount):
                try require(number == expectedNumber, "line \(number) where \(expectedNumber) was due")
                try require(byteCount > maximumLineBytes, "a line of \(byteCount) bytes taken as too long")
                try require(prefix.count <= JSONLinesReader.keptPrefixBytes, "a kept prefix of \(prefix.count) bytes")
            }
            expectedNumber += 1
        }
    }

    private static func check(line: [UInt8]) throws(FuzzInvariantViolation) {
        let event: ContactEvent
        do {
            event = try ContactEventParser.parse(line: line)
        } catch {
            try require(!error.description.isEmpty, "a refused line without a reason")
            return
        }
        let encoded = ContactEventParser.encode(event)
        try require(!encoded.contains(UInt8(ascii: "\n")), "the stored line of \(event.key) holds a line end")
        let again: ContactEvent
        do {
            again = try ContactEventParser.parse(line: encoded)
        } catch {
            throw FuzzInvariantViolation("the stored line of \(event.key) is refused: \(error.description)")
        }
        try require(again == event, "\(event.key) reads back as \(again.key) with other fields")
        try require(ContactEventParser.encode(again) == encoded, "\(event.key) encodes differently the second time")
        let mapper = EventActivityMapper(activityTypes: EventSettings.defaultActivityTypes)
        let draft = mapper.draft(for: event, target: EventTarget(ownerID: 1, personID: 2, organizationID: nil))
        try require(draft.subject.count <= EventText.characterLimit, "a subject of \(draft.subject.count) characters")
        try require(
            draft.note.hasSuffix("<p>\(EventText.escapeHTML(draft.marker))</p>"),
            "a note that does not end with its marker")
    }
}
