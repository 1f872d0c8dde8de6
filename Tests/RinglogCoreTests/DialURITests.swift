import RinglogCore
import Testing

@Suite("Dial: links and numbers to the text the normaliser reads")
struct DialURITests {
    @Test(
        "tel:, callto:, sip: and bare numbers",
        arguments: [
            ("tel:+358401234567", "+358401234567"),
            ("tel:+358-40-123-4567;phone-context=example.com", "+358-40-123-4567"),
            ("TEL:%2B358%2040%20123%204567", "+358 40 123 4567"),
            ("tel:0401234567;ext=12", "0401234567"),
            ("callto:+358401234567", "+358401234567"),
            ("callto://0401234567", "0401234567"),
            ("sip:0401234567@pbx.example.com;user=phone", "0401234567"),
            ("sips:+46812345678@pbx.example.com:5061", "+46812345678"),
            ("sip:0401234567;isub=1@pbx.example.com", "0401234567"),
            ("<sip:1002@127.0.0.1>", "1002"),
            ("  0401234567 ", "0401234567"),
            ("+358 40 123 4567", "+358 40 123 4567"),
            ("112", "112"),
        ])
    func numberText(raw: String, expected: String) {
        #expect(DialURI.numberText(from: raw) == expected)
    }

    @Test(
        "links that hold no number give nil",
        arguments: [
            "", "   ", "tel:", "sip:pbx.example.com", "mailto:anna@example.com", "http://example.com",
            "tel:%zz", "callto://",
        ])
    func noNumber(raw: String) {
        #expect(DialURI.numberText(from: raw) == nil)
    }
}

@Suite("Dial: the dial string the PBX gets")
struct DialPlanTests {
    private let finnishMobile = PhoneNumber(e164: "+358401234567", nationalFinnish: "0401234567")
    private let swedish = PhoneNumber(e164: "+46812345678", nationalFinnish: nil)
    private let emergency = PhoneNumber(e164: nil, nationalFinnish: "112")

    @Test("E.164 form: the number with +, short numbers as their digits, prefix only when asked")
    func e164() {
        let plan = DialPlan()
        #expect(plan.dialString(for: finnishMobile) == "+358401234567")
        #expect(plan.dialString(for: swedish) == "+46812345678")
        #expect(plan.dialString(for: emergency) == "112")
        #expect(DialPlan(dialPrefix: "9").dialString(for: finnishMobile) == "9+358401234567")
    }

    @Test("national form: Finnish numbers national, foreign ones with 00, the outside-line prefix in front")
    func national() {
        let plan = DialPlan(outsideLinePrefix: "0", dialPrefix: "0", numberFormat: .national)
        #expect(plan.dialString(for: finnishMobile) == "00401234567")
        #expect(plan.dialString(for: swedish) == "00046812345678")
        #expect(plan.dialString(for: emergency) == "0112")
        let noPrefix = DialPlan(numberFormat: .national, internationalPrefix: "00")
        #expect(noPrefix.dialString(for: finnishMobile) == "0401234567")
        #expect(noPrefix.dialString(for: PhoneNumber(e164: nil, nationalFinnish: nil)) == nil)
    }

    @Test("numbers matching the extension pattern are dialled as they are, without the normaliser")
    func extensions() throws {
        let plan = DialPlan(dialPrefix: "0", numberFormat: .national, extensionPattern: #"1\d{3}"#)
        #expect(try plan.target(for: "1002") == DialTarget(dialString: "1002", number: nil))
        #expect(try plan.target(for: "sip:1003@127.0.0.1") == DialTarget(dialString: "1003", number: nil))
        #expect(try plan.target(for: "tel:1001") == DialTarget(dialString: "1001", number: nil))
        #expect(plan.isExtension("10021") == false)
        #expect(plan.isExtension("abcd") == false)
        #expect(DialPlan().isExtension("1002") == false)
    }

    @Test("what holds no number is refused with exit code 65 and a message that says what to give")
    func notANumber() {
        #expect(throws: DialTargetError.notANumber("mailto:anna@example.com")) {
            try DialPlan().target(for: "mailto:anna@example.com")
        }
        let error = DialTargetError.notANumber("x")
        #expect(error.exitCode == .dataError)
        #expect(error.message.contains("tel:"))
    }

    @Test("the target's SIP URI is in the PBX's domain")
    func sipURI() {
        #expect(
            DialTarget(dialString: "0401234567", number: finnishMobile).sipURI(domain: "pbx.example.com")
                == "sip:0401234567@pbx.example.com")
    }

    @Test("every failure has its own exit code")
    func failureCodes() {
        let codes: [DialFailure] = [
            .unknownHost("pbx", reason: "x"), .unreachable(server: "pbx:5060"),
            .authenticationFailed(username: "a", statusCode: 407),
            .notAnswered(extension: "1001", status: nil, timeoutSeconds: 30),
            .referRefused(target: "1002", status: "403 Forbidden"),
        ]
        #expect(codes.map(\.exitCode.rawValue) == [68, 69, 77, 75, 76])
        #expect(DialFailure.unknownExtension("1009", status: "404").exitCode == .configuration)
    }
}
