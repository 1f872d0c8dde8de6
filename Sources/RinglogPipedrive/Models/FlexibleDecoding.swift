import Foundation

/// Decoding helpers for fields whose JSON type differs between Pipedrive's v1 and v2 APIs.
extension KeyedDecodingContainer {
    /// An integer sent as a number or a numeric string; `nil` when absent, null or not a number.
    func flexibleInt(_ key: Key) -> Int? {
        if let value = try? decodeIfPresent(Int.self, forKey: key) { return value }
        if let text = try? decodeIfPresent(String.self, forKey: key) { return Int(text) }
        if let value = try? decodeIfPresent(Double.self, forKey: key), value.rounded() == value {
            return Int(exactly: value)
        }
        return nil
    }

    /// An id sent as a string or a number, as a string.
    func flexibleString(_ key: Key) -> String? {
        if let text = try? decodeIfPresent(String.self, forKey: key) { return text }
        if let value = try? decodeIfPresent(Int.self, forKey: key) { return String(value) }
        return nil
    }

    /// A boolean sent as `true`/`false`, `0`/`1` or `"0"`/`"1"`.
    func flexibleBool(_ key: Key) -> Bool? {
        if let value = try? decodeIfPresent(Bool.self, forKey: key) { return value }
        if let value = flexibleInt(key) { return value != 0 }
        return nil
    }

    /// A timestamp in any of Pipedrive's formats.
    func timestamp(_ key: Key) -> Date? {
        (try? decodeIfPresent(String.self, forKey: key)).flatMap { $0.flatMap(PipedriveTimestamp.parse) }
    }

    /// A reference to another object: an integer, or (v1) an object whose `value` or `id` is the integer.
    func reference(_ key: Key) -> Int? {
        if let value = flexibleInt(key) { return value }
        guard let object = try? decodeIfPresent(ReferenceObject.self, forKey: key) else { return nil }
        return object.value ?? object.id
    }
}

/// v1's embedded reference objects, e.g. `org_id: {"name": "…", "value": 5}`.
private struct ReferenceObject: Decodable {
    var value: Int?
    var id: Int?

    enum CodingKeys: String, CodingKey {
        case value
        case id
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        value = container.flexibleInt(.value)
        id = container.flexibleInt(.id)
    }
}
