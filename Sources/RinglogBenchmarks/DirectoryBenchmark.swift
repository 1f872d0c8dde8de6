import Foundation
import RinglogCore
import RinglogStore

#if canImport(Glibc)
    import Glibc
#endif

/// `ringlog-bench directory`: the contact index's build time, memory and lookup time, and the SQLite
/// directory's load time on restart.
///
/// The directory is generated in Swift (no fixture files): `--persons` persons with two phone values each,
/// written in the formats people type, some of them an organisation's shared switchboard number, and an
/// e-mail address on most of them. The index is built while the persons are generated, one at a time, so
/// the resident size after the build is what a process holding the index needs.
enum DirectoryBenchmark: Benchmark {
    static let name = "directory"
    static let summary = "contact index: build time, resident memory, ns per lookup; SQLite directory load time"
    static let usage = "directory [--persons N] [--lookups N] [--runs N] [--no-sqlite]  (defaults 100000, 20000000, 3)"

    static func run(_ arguments: [String]) throws {
        var personCount = 100_000
        var lookupCount = 20_000_000
        var runs = 3
        var measureSQLite = true
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            switch argument {
            case "-h", "--help":
                print("usage: ringlog-bench \(usage)")
                return
            case "--no-sqlite":
                measureSQLite = false
            case "--persons", "--lookups", "--runs":
                guard let text = remaining.popFirst(), let value = Int(text), value > 0 else {
                    throw BenchmarkFailure(description: "\(argument) needs a positive whole number")
                }
                switch argument {
                case "--persons": personCount = value
                case "--lookups": lookupCount = value
                default: runs = value
                }
            default:
                throw BenchmarkFailure(description: "unknown argument \(argument); see --help")
            }
        }
        let normalizer = PhoneNumberNormalizer(region: .finland)

        // Memory: the index built from a stream of persons, nothing else kept but the hit keys.
        trimHeap()
        let before = ResidentMemory.current()
        var index = ContactIndex(normalizer: normalizer)
        var generator = DirectoryGenerator(personCount: personCount)
        var phoneValues = 0
        let buildStart = monotonicSeconds()
        let buildCPUStart = threadCPUSeconds()
        while let person = generator.next() {
            phoneValues += person.phones.count
            index.upsert(person)
        }
        let buildCPU = threadCPUSeconds() - buildCPUStart
        let buildWall = monotonicSeconds() - buildStart
        trimHeap()
        let after = ResidentMemory.current()
        print(
            "directory: \(index.personCount) persons, \(phoneValues) phone values, \(index.phoneCount) distinct numbers"
        )
        print(
            String(
                format: "directory: streaming build (generate + normalise + index) %.2f s CPU, %.2f s wall-clock",
                buildCPU, buildWall))
        print("directory: resident before the build: \(before)")
        print("directory: resident after the build:  \(after)")
        print(
            String(
                format: "directory: index resident growth %.1f MB", Double(after.currentKB - before.currentKB) / 1024))

        // Build time alone: persons generated first, then indexed; best of `runs`.
        let persons = Array(sequence(state: DirectoryGenerator(personCount: personCount)) { $0.next() })
        var bestBuild = Double.infinity
        for _ in 0..<runs {
            let start = threadCPUSeconds()
            var fresh = ContactIndex(normalizer: normalizer)
            for person in persons { fresh.upsert(person) }
            bestBuild = min(bestBuild, threadCPUSeconds() - start)
            precondition(fresh.personCount == index.personCount)
        }
        print(
            String(
                format: "directory: build from generated persons %.3f s CPU (best of %d), %.2f µs per person",
                bestBuild,
                runs, bestBuild / Double(personCount) * 1e6))

        // Lookups: half hits, half misses, in random order.
        let queries = lookupQueries(persons: persons, index: index)
        let rounds = max(1, lookupCount / queries.count)
        let total = rounds * queries.count
        var bestContains = Double.infinity
        var bestEntries = Double.infinity
        var found = 0
        for _ in 0..<runs {
            found = 0
            var start = threadCPUSeconds()
            for _ in 0..<rounds {
                for key in queries where index.contains(key) { found += 1 }
            }
            bestContains = min(bestContains, threadCPUSeconds() - start)
            start = threadCPUSeconds()
            var candidates = 0
            for _ in 0..<rounds {
                for key in queries { candidates &+= index.entries(for: key).count }
            }
            bestEntries = min(bestEntries, threadCPUSeconds() - start)
            precondition(candidates >= found)
        }
        print("directory: \(total) lookups (\(found / rounds) hits in every \(queries.count)), best of \(runs)")
        print(String(format: "directory: contains(_:)     %.1f ns per lookup", bestContains / Double(total) * 1e9))
        print(String(format: "directory: entries(for:)    %.1f ns per lookup", bestEntries / Double(total) * 1e9))

        if measureSQLite { try measureRestart(persons: persons, normalizer: normalizer) }
    }

    /// Stores the persons in a fresh SQLite directory and times opening it (the restart path).
    private static func measureRestart(persons: [DirectoryPerson], normalizer: PhoneNumberNormalizer) throws {
        let path = NSTemporaryDirectory() + "ringlog-bench-directory-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try DirectoryStore(directory: path)
        let writeStart = monotonicSeconds()
        var offset = 0
        while offset < persons.count {
            let page = persons[offset..<min(offset + 500, persons.count)].map {
                DirectoryPersonChange(person: $0, isDeleted: false, updatedAt: "2026-01-05T08:00:00Z")
            }
            try store.apply(page, watermark: "2026-01-05T08:00:00Z", sweep: 1)
            offset += 500
        }
        let writeWall = monotonicSeconds() - writeStart
        let size = (try? FileManager.default.attributesOfItem(atPath: path + "/directory.sqlite")[.size] as? Int) ?? 0
        print(
            String(
                format:
                    "directory: SQLite store of %d persons written in pages of 500: %.2f s wall-clock, %.1f MB file",
                persons.count, writeWall, Double(size) / 1_048_576))
        var bestWall = Double.infinity
        var bestCPU = Double.infinity
        for _ in 0..<2 {
            // The initialiser is synchronous: it runs on this thread, so the thread's CPU time is its cost.
            let start = monotonicSeconds()
            let cpuStart = threadCPUSeconds()
            let directory = try Directory(directory: path, normalizer: normalizer)
            bestCPU = min(bestCPU, threadCPUSeconds() - cpuStart)
            bestWall = min(bestWall, monotonicSeconds() - start)
            _ = directory
        }
        print(
            String(
                format: "directory: Directory load on restart (read, decode, index) %.2f s CPU, %.2f s wall-clock",
                bestCPU, bestWall) + " (best of 2)")
    }

    /// 65,536 keys, half of them numbers in the index and half numbers that are not, shuffled.
    private static func lookupQueries(persons: [DirectoryPerson], index: ContactIndex) -> [PhoneKey] {
        var random = BenchmarkRandom(seed: 99)
        let normalizer = PhoneNumberNormalizer(region: .finland)
        var hits: [PhoneKey] = []
        for person in persons.prefix(40_000) {
            for raw in person.phones {
                if let e164 = normalizer.normalize(raw)?.e164, let key = PhoneKey(e164: e164) { hits.append(key) }
            }
        }
        var queries: [PhoneKey] = []
        queries.reserveCapacity(65_536)
        while queries.count < 65_536 {
            if queries.count.isMultiple(of: 2), let hit = hits.randomElement(using: &random) {
                queries.append(hit)
            } else if let miss = PhoneKey(e164: "+35850\(Int.random(in: 1_000_000...9_999_999, using: &random))"),
                !index.contains(miss)
            {
                queries.append(miss)
            }
        }
        queries.shuffle(using: &random)
        return queries
    }

    /// Gives freed heap pages back to the kernel (glibc's `malloc_trim`, which the Glibc module does not
    /// export, so it is looked up at run time), so the resident size shows what is live.
    private static func trimHeap() {
        #if canImport(Glibc)
            typealias MallocTrim = @convention(c) (Int) -> Int32
            // RTLD_DEFAULT is the null handle on glibc: search the process's global symbols.
            guard let symbol = dlsym(nil, "malloc_trim") else { return }
            _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
        #endif
    }
}

/// The process's resident memory, from /proc/self/status.
struct ResidentMemory: CustomStringConvertible {
    /// `VmRSS`: resident now, in KiB.
    var currentKB: Int
    /// `VmHWM`: the peak so far, in KiB.
    var peakKB: Int

    static func current() -> ResidentMemory {
        let text = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        func field(_ name: String) -> Int {
            for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
                return Int(line.dropFirst(name.count + 1).filter(\.isNumber)) ?? 0
            }
            return 0
        }
        return ResidentMemory(currentKB: field("VmRSS"), peakKB: field("VmHWM"))
    }

    var description: String {
        String(format: "VmRSS %.1f MB, VmHWM %.1f MB", Double(currentKB) / 1024, Double(peakKB) / 1024)
    }
}
