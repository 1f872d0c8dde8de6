import Foundation
import RinglogCore

/// `ringlog-bench phone`: phone-number normalisations per second on one thread.
///
/// The raw strings of the sample corpus (first column of a TSV file with a header line) are
/// normalised in order, repeated until at least `--count` normalisations; the best of `--runs`
/// runs is reported.
enum PhoneBenchmark: Benchmark {
    static let name = "phone"
    static let summary = "phone-number normalisations per second (default region FI)"
    static let usage =
        "phone [--count N] [--runs N] [CORPUS.tsv]  (default Tests/RinglogCoreTests/Fixtures/phone-samples.tsv)"

    static func run(_ arguments: [String]) throws {
        var corpusPath = "Tests/RinglogCoreTests/Fixtures/phone-samples.tsv"
        var minimumCount = 200_000
        var runs = 3
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            switch argument {
            case "-h", "--help":
                print("usage: ringlog-bench \(usage)")
                return
            case "--count", "--runs":
                guard let text = remaining.popFirst(), let value = Int(text), value > 0 else {
                    throw BenchmarkFailure(description: "\(argument) needs a positive whole number")
                }
                if argument == "--count" { minimumCount = value } else { runs = value }
            default:
                corpusPath = argument
            }
        }
        guard let data = FileManager.default.contents(atPath: corpusPath) else {
            throw BenchmarkFailure(description: "cannot read \(corpusPath); run from the package root or give the path")
        }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let corpus = lines.dropFirst().filter { !$0.isEmpty }.map { line in
            String(line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)[0])
        }
        guard !corpus.isEmpty else { throw BenchmarkFailure(description: "\(corpusPath) has no rows") }
        let repeats = (minimumCount + corpus.count - 1) / corpus.count
        let total = repeats * corpus.count
        let normalizer = PhoneNumberNormalizer(region: .finland)

        var bestCPU = Double.infinity
        var bestWall = Double.infinity
        var found = 0
        for _ in 0..<runs {
            let wallStart = monotonicSeconds()
            let cpuStart = threadCPUSeconds()
            found = 0
            for _ in 0..<repeats {
                for raw in corpus where normalizer.normalize(raw) != nil {
                    found += 1
                }
            }
            bestCPU = min(bestCPU, threadCPUSeconds() - cpuStart)
            bestWall = min(bestWall, monotonicSeconds() - wallStart)
        }
        let rate = Double(total) / bestCPU
        print("phone: \(corpus.count) strings x \(repeats) = \(total) normalisations, best of \(runs), one thread")
        print("phone: \(found / repeats) of \(corpus.count) strings give a number")
        print(
            String(
                format: "phone: %.0f normalisations/s of CPU time, %.1f ns each", rate, bestCPU / Double(total) * 1e9))
        print(String(format: "phone: %.0f normalisations/s of wall-clock time", Double(total) / bestWall))
        print(String(format: "rate=%.0f", rate))
    }
}
