import Synchronization

/// Counts the daily-budget tokens ringlog spent, per endpoint, from Pipedrive's published costs.
///
/// A request counts when Pipedrive processed it: any answer except 401 (not authenticated), 429 (not
/// admitted) and 5xx (a gateway or server failure). The counts are ringlog's estimate; Pipedrive's own
/// figure is the `x-daily-ratelimit-token-remaining` header.
public final class TokenLedger: Sendable {
    /// Requests and tokens spent on one endpoint.
    public struct Usage: Equatable, Sendable {
        /// Requests answered.
        public var requests: Int
        /// Tokens those requests cost.
        public var tokens: Int

        /// Creates a usage record.
        public init(requests: Int = 0, tokens: Int = 0) {
            self.requests = requests
            self.tokens = tokens
        }
    }

    private let usage = Mutex<[PipedriveEndpoint: Usage]>([:])

    /// Creates an empty ledger.
    public init() {}

    /// Whether a response with `status` spends tokens.
    public static func isCharged(status: Int) -> Bool {
        status != 401 && status != 429 && !(500...599).contains(status)
    }

    /// Records one answered request to `endpoint`.
    public func record(_ endpoint: PipedriveEndpoint) {
        usage.withLock { table in
            table[endpoint, default: Usage()].requests += 1
            table[endpoint, default: Usage()].tokens += endpoint.tokenCost
        }
    }

    /// Usage per endpoint since the ledger was created (or last reset).
    public var byEndpoint: [PipedriveEndpoint: Usage] { usage.withLock { $0 } }

    /// All tokens spent.
    public var totalTokens: Int { usage.withLock { $0.values.reduce(0) { $0 + $1.tokens } } }

    /// Forgets all counts, e.g. at the start of a new budget day.
    public func reset() { usage.withLock { $0.removeAll() } }
}
