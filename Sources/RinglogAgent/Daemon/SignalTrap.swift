@preconcurrency import Dispatch
import Foundation

/// Delivers Unix signals as an async stream. The initialiser returns only after libdispatch has
/// registered every source: a signal sent right after start-up is then handled, not fatal.
public final class SignalTrap: Sendable {
    /// The signals, in the order they arrived.
    public let signals: AsyncStream<Int32>
    private let sources: [any DispatchSourceSignal]

    /// Traps `numbers` (e.g. SIGTERM, SIGINT, SIGHUP); their default actions are ignored from now on.
    public init(trapping numbers: [Int32]) async {
        let queue = DispatchQueue(label: "ringlog.signals")
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        var sources: [any DispatchSourceSignal] = []
        for number in numbers {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { continuation.yield(number) }
            await withCheckedContinuation { (registered: CheckedContinuation<Void, Never>) in
                source.setRegistrationHandler { registered.resume() }
                source.resume()
            }
            sources.append(source)
        }
        signals = stream
        self.sources = sources
    }

    deinit {
        for source in sources { source.cancel() }
    }
}
