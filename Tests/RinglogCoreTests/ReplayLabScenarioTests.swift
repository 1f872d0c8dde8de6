import RinglogCore
import Testing

/// The lab's site: Kamailio at 127.0.0.1:15060, the carrier at 15090/15091, extensions 1xxx.
func labSite() throws -> SiteDescription {
    try SiteDescription(
        pbxAddresses: ["127.0.0.1:15060"], trunkAddresses: ["127.0.0.1:15090", "127.0.0.1:15091"],
        extensionPattern: #"1\d{3}"#)
}

func labRecords(_ scenario: String, site: SiteDescription? = nil) throws -> [CallRecord] {
    let site = try site ?? labSite()
    return CallReplay.records(
        from: try HEPFixtures.packets(scenario), configuration: CallTrackerConfiguration(site: site))
}

@Suite("Replay of the lab recordings")
struct ReplayLabScenarioTests {
    @Test("dump", arguments: HEPFixtures.scenarios)
    func dump(scenario: String) throws {
        for record in try labRecords(scenario) {
            print(scenario, record.jsonLine, record.callIDs, record.transfers.map(\.kind))
        }
    }
}
