import RinglogCore
import Testing

@Suite("Plain text helpers")
struct PlainTextTests {
    @Test(
        "paths: join, parent, last component, as NSString did",
        arguments: [
            ("/tmp/scratch.tiff", "/tmp", "scratch.tiff"), ("/tmp/lock/", "/tmp", "lock"), ("/tmp/", "/", "tmp"),
            ("/tmp", "/", "tmp"), ("/", "/", "/"), ("scratch.tiff", "", "scratch.tiff"), ("a/b", "a", "b"),
        ])
    func paths(path: String, parent: String, last: String) {
        #expect(PathText.parent(of: path) == parent)
        #expect(PathText.lastComponent(of: path) == last)
    }

    @Test("joining a component adds exactly one slash")
    func joining() {
        #expect(PathText.appending("t.json", to: "/var/lib/ringlog") == "/var/lib/ringlog/t.json")
        #expect(PathText.appending("t.json", to: "/var/lib/ringlog/") == "/var/lib/ringlog/t.json")
        #expect(PathText.appending("t.json", to: "") == "t.json")
    }

    @Test("trimming and padding")
    func trimmingAndPadding() {
        #expect(" \t value \u{00A0}".trimmingWhitespace() == "value")
        #expect("\n value \n".trimmingWhitespace() == "\n value \n")
        #expect("\n value\r\n".trimmingWhitespace(includingLineEnds: true) == "value")
        #expect("ok".padded(toWidth: 6) == "ok    ")
        #expect("warning".padded(toWidth: 6) == "warnin")
    }
}
