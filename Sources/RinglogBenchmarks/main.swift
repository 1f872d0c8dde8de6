import Foundation

// ringlog-bench NAME [ARGUMENTS]: runs one benchmark (release build, see docs/benchmarks.md).

let benchmarks: [any Benchmark.Type] = [
    PhoneBenchmark.self, ReplayBenchmark.self, DirectoryBenchmark.self, EventsBenchmark.self,
    DaemonEnqueueBenchmark.self, FloodBenchmark.self,
]

let arguments = Array(CommandLine.arguments.dropFirst())
guard let name = arguments.first, let benchmark = benchmarks.first(where: { $0.name == name }) else {
    var usage = "usage: ringlog-bench NAME [ARGUMENTS]\n\nbenchmarks:\n"
    for benchmark in benchmarks {
        usage += "  \(benchmark.name)  \(benchmark.summary)\n    \(benchmark.usage)\n"
    }
    StandardError.write(usage)
    exit(64)
}
do {
    try benchmark.run(Array(arguments.dropFirst()))
} catch {
    StandardError.write("ringlog-bench \(name): \(error)\n")
    exit(1)
}
