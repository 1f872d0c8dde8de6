import Foundation
import RinglogTestSupport
import Testing

@Suite("ringlog normalize")
struct NormalizeCommandTests {
    @Test("one line of three fields for every input line of the bundled example")
    func bundledExample() throws {
        let example = try String(
            contentsOf: PackageRoot.url.appendingPathComponent("docs/examples/phone-numbers.txt"),
            encoding: .utf8)
        let result = try RinglogBinary.run(["normalize"], input: example)
        #expect(result.status == 0)
        let inputLines = example.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        let outputLines = result.output.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(outputLines.count == inputLines.count)
        for line in outputLines {
            #expect(line.split(separator: "\t", omittingEmptySubsequences: false).count == 3, "\(line)")
        }
        #expect(outputLines.contains("040 012 4387\t+358400124387\t0400124387"))
        #expect(outputLines.contains("018 25000\t+3581825000\t01825000"))
        #expect(outputLines.contains("+39 02 1234 5678\t+390212345678\t"))
        #expect(outputLines.contains("112\t\t112"))
        #expect(outputLines.contains("anonymous\t\t"))
    }

    @Test("the outside-line prefix and the region are honoured")
    func options() throws {
        let plain = try RinglogBinary.run(["normalize"], input: "00401234567\n")
        let withPrefix = try RinglogBinary.run(["normalize", "--outside-line-prefix", "0"], input: "00401234567\n")
        #expect(withPrefix.output == "00401234567\t+358401234567\t0401234567\n")
        #expect(plain.output != withPrefix.output)
        let swedish = try RinglogBinary.run(["normalize", "--region", "se"], input: "08-123 456 78\n")
        #expect(swedish.output == "08-123 456 78\t+46812345678\t\n")
    }

    @Test("CRLF line ends, a last line without one, and broken UTF-8 keep the stream going")
    func messyInput() throws {
        let result = try RinglogBinary.run(["normalize"], input: "040 012 4387\r\n\u{FFFD}x\n112")
        #expect(result.status == 0)
        #expect(result.output == "040 012 4387\t+358400124387\t0400124387\n\u{FFFD}x\t\t\n112\t\t112\n")
    }

    @Test(
        "bad options exit 64 and say what to fix",
        arguments: [
            (
                ["normalize", "--region", "Finland"],
                "--region needs a two-letter region code such as FI or SE, not 'Finland'"
            ),
            (["normalize", "numbers.txt"], "use < numbers.txt"),
            (["normalize", "--outside-line-prefix", "x"], "--outside-line-prefix needs digits"),
            (["bogus"], "unknown command 'bogus'"),
        ])
    func usageErrors(arguments: [String], message: String) throws {
        let result = try RinglogBinary.run(arguments)
        #expect(result.status == 64)
        #expect(result.error.contains(message), "\(result.error)")
    }

    @Test(
        "--help and --version", arguments: [["--help"], ["normalize", "--help"], ["check", "--help"], ["--version"]])
    func help(arguments: [String]) throws {
        let result = try RinglogBinary.run(arguments)
        #expect(result.status == 0)
        #expect(!result.output.isEmpty)
    }
}
