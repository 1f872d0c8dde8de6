import Foundation
import RinglogTestSupport

@testable import RinglogPipedrive

extension PipedriveSimulator {
    /// A client with an API token of the seed; the clock is injected so waits cost no time.
    func apiTokenClient(
        token: String = apiToken, clock: TestClock = TestClock(Date()),
        transport: any HTTPTransport = SocketHTTPTransport.shared
    ) -> PipedriveClient {
        PipedriveClient(
            configuration: .init(baseURL: baseURL), credentials: .apiToken(token), transport: transport,
            now: clock.nowFunction, sleep: clock.sleepFunction)
    }
}
