import RinglogCore
import Testing

/// A raw string and the E.164 form it should give (`nil`: no number).
struct PhoneCase: CustomTestStringConvertible, Sendable {
    let raw: String
    let e164: String?

    init(_ raw: String, _ e164: String?) {
        self.raw = raw
        self.e164 = e164
    }

    var testDescription: String { raw.debugDescription }
}

/// The Finnish normaliser without an outside-line prefix, as most tests use it.
let finnishNormalizer = PhoneNumberNormalizer(region: .finland)
