import Foundation

/// One benchmark that `ringlog-bench NAME` can run.
protocol Benchmark {
    /// The name on the command line.
    static var name: String { get }
    /// One line saying what is measured.
    static var summary: String { get }
    /// The arguments it takes.
    static var usage: String { get }
    /// Runs it and prints the results on standard output.
    static func run(_ arguments: [String]) throws
}

/// A benchmark could not start; the message says why and what to do.
struct BenchmarkFailure: Error, CustomStringConvertible {
    let description: String
}

/// Standard error, unbuffered.
enum StandardError {
    static func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}

/// Monotonic wall-clock time in seconds.
func monotonicSeconds() -> Double {
    seconds(of: CLOCK_MONOTONIC)
}

/// CPU time of the calling thread in seconds: unlike wall-clock time, it does not count the time
/// the thread waits for a core on a busy machine.
func threadCPUSeconds() -> Double {
    seconds(of: CLOCK_THREAD_CPUTIME_ID)
}

private func seconds(of clock: clockid_t) -> Double {
    var time = timespec()
    clock_gettime(clock, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}
