import Testing

@testable import RinglogCapture

@Suite struct RecentIPv4NamesTests {
    @Test func givesTheDottedQuadWhetherRememberedOrNot() {
        var names = RecentIPv4Names()
        // Six addresses in turns of different lengths, so that slots are reused and found in every position.
        let addresses: [UInt32] = [0, 0x0a00_0001, 0xc0a8_0101, 0x7f00_0001, 0xffff_ffff, 0x0102_0304]
        var random = SplitMix64(seed: 9)
        for _ in 0..<500 {
            let address = addresses[Int(random.next() % UInt64(addresses.count))]
            #expect(names.name(of: address) == IPAddress.v4(address).description)
        }
        #expect(names.name(of: 0x0a00_0001) == "10.0.0.1")
        #expect(names.name(of: 0) == "0.0.0.0")
    }
}
