import Testing

@testable import RinglogCore

@Suite("Site description: extension numbers")
struct SiteDescriptionExtensionTests {
    @Test(
        "fixed-length digit patterns and general regular expressions agree",
        arguments: [
            (#"1\d{3}"#, "1001", "1001"), (#"1\d{3}"#, "1002-0x559f57310cc0", "1002"), (#"1\d{3}"#, "2000", nil),
            (#"1\d{3}"#, "10011", nil), (#"1\d{3}"#, "100", nil), (#"1\d{3}"#, "+358401234567", nil),
            ("2[0-9][0-9]", "201", "201"), ("2[0-9][0-9]", "2a1", nil), (#"(1|2)\d{2}"#, "199", "199"),
            (#"(1|2)\d{2}"#, "399", nil), (#"\d{2,4}"#, "123", "123"), (#"\d{2,4}"#, "12345", nil),
        ] as [(String, String, String?)])
    func extensionNumber(pattern: String, user: String, expected: String?) throws {
        let site = try SiteDescription(pbxAddresses: [], extensionPattern: pattern)
        #expect(site.extensionNumber(inUser: user) == expected)
        #expect(site.isExtensionNumber(user) == (expected == user))
    }
}

@Suite("Site description: leading dial characters")
struct SiteDescriptionDialCharacterTests {
    @Test(
        "without a pattern, the extension is the user's leading ASCII digits, * and #",
        arguments: [
            "1001", "1001abc", "*72#1", "#31#0401234567", "abc", "", "1001\u{301}", "10\u{301}01", "١٢٣",
            "1001\r\n", "12\u{200D}3", "+358401234567",
        ])
    func leadingDialCharacters(user: String) throws {
        let site = try SiteDescription(pbxAddresses: [])
        let reference = String(user.prefix { $0.isASCII && ($0.isNumber || $0 == "*" || $0 == "#") })
        #expect(site.extensionNumber(inUser: user) == (reference.isEmpty ? nil : reference))
        #expect(site.isExtensionNumber(user) == (!reference.isEmpty && reference == user))
    }
}

@Suite("Site description: addresses")
struct SiteDescriptionAddressTests {
    @Test(
        "an endpoint is the PBX when its address (in any case) and port match",
        arguments: [
            ("192.0.2.10:5060", "192.0.2.10", 5060, true), ("192.0.2.10:5060", "192.0.2.1", 5060, false),
            ("192.0.2.10:5060", "192.0.2.100", 5060, false), ("192.0.2.10:5060", "192.0.2.10", 5080, false),
            ("192.0.2.10", "192.0.2.10", 5080, true), ("pbx.example:5060", "PBX.Example", 5060, true),
            ("pbx.example:5060", "pbx.example.org", 5060, false), ("PBX.example:5060", "pbx.Example", 5060, true),
            ("[2001:DB8::1]:5060", "2001:db8::1", 5060, true), ("[2001:db8::1]:5060", "2001:DB8::1", 5060, true),
            ("2001:db8::1", "2001:db8::2", 5060, false), ("pbx.example", "PBX.EXAMPLE\u{301}", 5060, false),
            // The Kelvin sign lower-cases to `k`: longer in bytes, equal in lower case.
            ("kpbx.example", "\u{212A}PBX.example", 5060, true), ("kpbx.example", "\u{212A}PBX.exampl", 5060, false),
            ("192.0.2.10:5060", "198.51.100.20", 5060, false), ("pbx.example", "pbx.exampl", 5060, false),
        ] as [(String, String, UInt16, Bool)])
    func pbxAddress(pattern: String, address: String, port: UInt16, expected: Bool) throws {
        let site = try SiteDescription(pbxAddresses: [pattern])
        #expect(site.isPBX(TransportEndpoint(address: address, port: port)) == expected)
    }
}
