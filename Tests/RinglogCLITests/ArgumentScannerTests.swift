import RinglogCore
import Testing

@Suite("Argument scanning")
struct ArgumentScannerTests {
    @Test("values, inline values, flags and positionals")
    func scansEveryForm() throws {
        let scanner = try ArgumentScanner(
            ["--config", "a.json", "--region=SE", "--dry-run", "file.pcap", "--", "--not-an-option"],
            valueOptions: ["config", "region"], flagOptions: ["dry-run"])
        #expect(scanner.values == ["config": "a.json", "region": "SE"])
        #expect(scanner.flags == ["dry-run"])
        #expect(scanner.positionals == ["file.pcap", "--not-an-option"])
        #expect(!scanner.wantsHelp)
    }

    @Test("help in both spellings")
    func help() throws {
        #expect(try ArgumentScanner(["-h"]).wantsHelp)
        #expect(try ArgumentScanner(["--help"]).wantsHelp)
    }

    @Test(
        "unknown options and missing values are usage errors",
        arguments: [
            (["--bogus"], "unknown option '--bogus'"),
            (["--config"], "--config needs a value"),
            (["-x"], "unknown option '-x'; options are written as --name"),
            (["--dry-run=yes"], "--dry-run takes no value"),
        ])
    func rejects(arguments: [String], message: String) {
        #expect(throws: UsageError(message)) {
            try ArgumentScanner(arguments, valueOptions: ["config"], flagOptions: ["dry-run"])
        }
    }

    @Test("repeatable options keep every value in order")
    func repeatable() throws {
        let scanner = try ArgumentScanner(["--ext", "1001", "--ext=1002"], repeatable: ["ext"])
        #expect(scanner.repeatedValues["ext"] == ["1001", "1002"])
    }
}
