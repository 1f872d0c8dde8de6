/// Pipedrive's response envelope: `{success, data, additional_data}`.
struct Envelope<Payload: Decodable>: Decodable {
    var success: Bool?
    var data: Payload?
    var additionalData: AdditionalData?

    enum CodingKeys: String, CodingKey {
        case success
        case data
        case additionalData = "additional_data"
    }
}

/// `additional_data`: v1 offset pagination, v2 cursors, and the recents timestamps.
struct AdditionalData: Decodable {
    var pagination: Pagination?
    var nextCursor: String?
    var sinceTimestamp: String?
    var lastTimestampOnPage: String?

    enum CodingKeys: String, CodingKey {
        case pagination
        case nextCursor = "next_cursor"
        case sinceTimestamp = "since_timestamp"
        case lastTimestampOnPage = "last_timestamp_on_page"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        pagination = try? container.decodeIfPresent(Pagination.self, forKey: .pagination)
        nextCursor = try? container.decodeIfPresent(String.self, forKey: .nextCursor)
        sinceTimestamp = try? container.decodeIfPresent(String.self, forKey: .sinceTimestamp)
        lastTimestampOnPage = try? container.decodeIfPresent(String.self, forKey: .lastTimestampOnPage)
    }
}

/// v1 `additional_data.pagination`.
struct Pagination: Decodable {
    var start: Int?
    var limit: Int?
    var moreItemsInCollection: Bool?
    var nextStart: Int?

    enum CodingKeys: String, CodingKey {
        case start
        case limit
        case moreItemsInCollection = "more_items_in_collection"
        case nextStart = "next_start"
    }
}

/// The error envelope: `{success:false, error, error_info, code}`; webhooks use `{status, errors}`,
/// some 403s `{message}`.
struct ErrorEnvelope: Decodable {
    var error: String?
    var errorInfo: String?
    var code: String?
    var message: String?

    enum CodingKeys: String, CodingKey {
        case error
        case errorInfo = "error_info"
        case code
        case message
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        error = try? container.decodeIfPresent(String.self, forKey: .error)
        errorInfo = try? container.decodeIfPresent(String.self, forKey: .errorInfo)
        code = try? container.decodeIfPresent(String.self, forKey: .code)
        message = try? container.decodeIfPresent(String.self, forKey: .message)
    }
}
