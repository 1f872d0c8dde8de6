import Foundation
import RinglogCore

/// `ringlog normalize`: raw phone strings on stdin, `raw<TAB>e164<TAB>national` on stdout.
enum NormalizeCommand: RinglogCommand {
    static let name = "normalize"
    static let summary = "normalise phone numbers read from stdin, one per line"
    static let usage = """
        Usage: ringlog normalize [--region CC] [--outside-line-prefix DIGITS] < FILE

        Reads one raw phone string per line on standard input (free text, tel: and sip: URIs,
        name-addr such as "Anna" <sip:0401234567@pbx>) and writes exactly one line per input line:

            raw<TAB>e164<TAB>national

        e164 is the E.164 form (+358401234567); national is the Finnish national form
        (0401234567) for +358 numbers and the digits of Finnish short numbers (112). A field is
        empty where there is none; a line that holds no number gives two empty fields and the
        stream goes on.

        Options:
          --region CC                 default region for numbers without + or 00 (default FI)
          --outside-line-prefix DIGITS
                                      the PBX's outside-line prefix, e.g. 0, so that 00401234567
                                      means 0401234567 rather than Romania
          -h, --help                  show this help
        """

    static func run(_ arguments: [String]) async throws -> ExitCode {
        let scanner = try ArgumentScanner(arguments, valueOptions: ["region", "outside-line-prefix"])
        if scanner.wantsHelp {
            StandardStreams.writeOutput(usage + "\n")
            return .success
        }
        if let extra = scanner.positionals.first {
            throw UsageError("normalize reads standard input and takes no file argument ('\(extra)'); use < \(extra)")
        }
        var region = RegionCode.finland
        if let text = scanner.values["region"] {
            guard let code = RegionCode(text) else {
                throw UsageError("--region needs a two-letter region code such as FI or SE, not '\(text)'")
            }
            region = code
        }
        var prefix: String?
        if let text = scanner.values["outside-line-prefix"] {
            guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw UsageError("--outside-line-prefix needs digits such as 0 or 9, not '\(text)'")
            }
            prefix = text
        }
        let normalizer = PhoneNumberNormalizer(region: region, outsideLinePrefix: prefix)
        var buffer = ""
        buffer.reserveCapacity(1 << 16)
        var lines = LineReader()
        while let line = lines.next() {
            buffer += NormalizeReport.line(for: line, using: normalizer)
            buffer += "\n"
            if buffer.utf8.count >= 1 << 16 {
                StandardStreams.writeOutput(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        StandardStreams.writeOutput(buffer)
        return .success
    }
}
