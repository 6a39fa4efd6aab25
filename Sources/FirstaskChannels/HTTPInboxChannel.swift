import FirstaskCurl
import FirstaskDesk
import Foundation
import Logging

/// Settings of one `http-inbox` channel (`channels[]` entry of type `http-inbox`).
public struct HTTPInboxSettings: Sendable, Equatable {
    public var id: String
    /// `{base}/messages` and `{base}/send` are the endpoints.
    public var baseURL: String
    /// Sent as `Authorization: Bearer <token>` when set.
    public var token: String?
    /// Seconds between polls when the inbox had nothing (and `wait` is not set).
    public var pollInterval: Double
    /// Long-poll: ask the inbox to hold the request up to this many seconds until a message arrives.
    public var wait: Int?
    /// Most messages asked for per poll.
    public var limit: Int
    /// Seconds allowed for one request beyond `wait`.
    public var requestTimeout: Double

    public init(
        id: String, baseURL: String, token: String? = nil, pollInterval: Double = 2, wait: Int? = nil,
        limit: Int = 500, requestTimeout: Double = 10
    ) {
        self.id = id
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.token = token
        self.pollInterval = pollInterval
        self.wait = wait
        self.limit = limit
        self.requestTimeout = requestTimeout
    }
}

/// The generic HTTP inbox channel (README, "The HTTP inbox protocol"): polls `GET {base}/messages`, sends with `POST {base}/send`.
public struct HTTPInboxChannel: MessageSource, MessageSink, MediaFetching {
    public let settings: HTTPInboxSettings
    private let client: CurlHTTPClient
    private let logger: Logger

    public init(settings: HTTPInboxSettings, client: CurlHTTPClient, logger: Logger = Logger(label: "firstask.http-inbox")) {
        self.settings = settings
        self.client = client
        self.logger = logger
    }

    public var channelID: String { settings.id }

    public func fetch(after cursor: String?) async throws -> InboundPage {
        var query = ["limit=\(settings.limit)"]
        if let cursor { query.append("after=\(Self.percentEncode(cursor))") }
        if let wait = settings.wait { query.append("wait=\(wait)") }
        let request = HTTPRequest(
            method: .get, url: "\(settings.baseURL)/messages?\(query.joined(separator: "&"))", headers: headers(),
            timeout: Double(settings.wait ?? 0) + settings.requestTimeout)
        let response = try await perform(request, what: "poll")
        guard response.status == 200 else {
            throw ChannelError(channel: channelID, message: "poll answered HTTP \(response.status)",
                               retry: Self.retry(for: response))
        }
        return try Self.parsePage(response.body, channel: channelID, now: Date())
    }

    /// A media item's `url`, with the inbox's bearer token only when the URL is under `base_url`.
    public func mediaRequest(for reference: MediaReference) async throws -> HTTPRequest {
        guard let url = reference.httpURL else {
            throw ChannelError(channel: channelID, message: "media locator is not an http(s) URL", retry: .never)
        }
        let own = url.hasPrefix(settings.baseURL + "/")
        return HTTPRequest(method: .get, url: url, headers: own ? headers().filter { $0.name != "Accept" } : [],
                           timeout: settings.requestTimeout * 3, maxRedirects: 3)
    }

    public func send(_ message: OutboundMessage) async throws {
        let response = try await perform(sendRequest(message), what: "send \(message.id)")
        if let error = sendError(message, response) { throw error }
    }

    /// The whole batch in one call to the client: its transfers run side by side on the driver thread.
    public func send(all messages: [OutboundMessage], concurrency: Int) async -> [ChannelError?] {
        let results = await client.execute(all: messages.map(sendRequest))
        return zip(messages, results).map { message, result in
            switch result {
            case let .success(response): sendError(message, response)
            case let .failure(error): ChannelError(channel: channelID, message: "send \(message.id): \(error)", retry: .backoff)
            }
        }
    }

    private func sendRequest(_ message: OutboundMessage) -> HTTPRequest {
        let body = Data(JSONText.object(["id": message.id, "to": message.to, "text": message.text]).utf8)
        return HTTPRequest(
            method: .post, url: "\(settings.baseURL)/send",
            headers: headers() + [(name: "Content-Type", value: "application/json; charset=utf-8")], body: body,
            timeout: settings.requestTimeout)
    }

    /// `nil` when the inbox accepted the message (any 2xx).
    private func sendError(_ message: OutboundMessage, _ response: HTTPResponse) -> ChannelError? {
        guard !(200..<300).contains(response.status) else { return nil }
        return ChannelError(channel: channelID, message: "send \(message.id) answered HTTP \(response.status)",
                            retry: Self.retry(for: response))
    }

    private func headers() -> [(name: String, value: String)] {
        var headers = [(name: "Accept", value: "application/json")]
        if let token = settings.token { headers.append((name: "Authorization", value: "Bearer \(token)")) }
        return headers
    }

    private func perform(_ request: HTTPRequest, what: String) async throws -> HTTPResponse {
        do {
            return try await client.execute(request)
        } catch let error as HTTPClientError {
            if error.code == .cancelled { throw CancellationError() }
            throw ChannelError(channel: channelID, message: "\(what): \(error)", retry: .backoff)
        }
    }

    /// 429 and 5xx are worth retrying (after `Retry-After` when given); other statuses are final.
    static func retry(for response: HTTPResponse) -> ChannelError.Retry {
        switch response.status {
        case 429, 503:
            if let value = response.header("Retry-After"), let seconds = Double(value.trimmingCharacters(in: .whitespaces)) {
                return .after(seconds: max(0, seconds))
            }
            return .backoff
        case 500...599, 408:
            return .backoff
        default:
            return .never
        }
    }

    /// Reads one `GET /messages` body (strict JSON). Throws when the body as a whole is unreadable; items
    /// that are not messages become `rejected` entries with the reason.
    ///
    /// A text or sender that is not valid UTF-8 (a cheap phone's mangled byte, a gateway's wrong charset)
    /// makes only its own item rejected (`IntakeRule`): the rest of the page is stored and the cursor moves on,
    /// so intake never stalls on it.
    public static func parsePage(_ body: Data, channel: String, now: Date) throws -> InboundPage {
        let object: [String: Any]
        do {
            object = try StrictJSON.object(body, unreadableStrings: .keep)
        } catch {
            throw ChannelError(channel: channel, message: "poll returned malformed JSON (\(body.count) bytes; \(error))", retry: .backoff)
        }
        guard let items = object["messages"] as? [Any] else {
            throw ChannelError(channel: channel, message: "poll returned JSON without a \"messages\" array", retry: .backoff)
        }
        var messages: [InboundMessage] = []
        var rejected: [RejectedInbound] = []
        for item in items {
            switch parseMessage(item, channel: channel, now: now) {
            case let .success(message): messages.append(message)
            case let .failure(entry): rejected.append(entry)
            }
        }
        return InboundPage(messages: messages, rejected: rejected, next: scalarString(object["next"]))
    }

    static func parseMessage(_ item: Any, channel: String, now: Date) -> Result<InboundMessage, RejectedInbound> {
        func reject(_ reason: String) -> Result<InboundMessage, RejectedInbound> {
            .failure(RejectedInbound(channel: channel, raw: rawText(item), reason: reason, receivedAt: now))
        }
        guard let fields = item as? [String: Any] else { return reject("item is not a JSON object") }
        guard let id = scalarString(fields["id"]), !id.isEmpty else { return reject("message has no id") }
        guard let from = IntakeRule.bytes(ofJSON: fields["from"]),
              !from.allSatisfy({ [0x20, 0x09].contains($0) }) else { return reject("message \(id) has no sender (from)") }
        var media: [MediaReference] = []
        if let value = fields["media"], !(value is NSNull) {
            guard let items = value as? [Any] else { return reject("message \(id): media is not an array") }
            for (index, item) in items.enumerated() {
                guard let object = item as? [String: Any], let url = object["url"] as? String,
                      MediaReference(locator: url).httpURL != nil
                else { return reject("message \(id): media[\(index)] has no http(s) url") }
                let type = object["content_type"] as? String
                media.append(MediaReference(locator: url, contentType: type.map { String($0.prefix(100)) }))
            }
        }
        // A photo may come without a caption: the text may then be missing or empty.
        guard let text = IntakeRule.bytes(ofJSON: fields["text"]) ?? (media.isEmpty ? nil : []) else {
            return reject("message \(id) has no text")
        }
        let delivery = IntakeRule.Delivery(channel: channel, providerID: id, from: from, to: fields["to"] as? String, text: text,
                                           receivedAt: parseTime(fields["received_at"]) ?? now, label: "http-inbox id=\(id.prefix(128))",
                                           media: media)
        return IntakeRule.apply(delivery, now: now)
    }

    static func scalarString(_ value: Any?) -> String? {
        switch value {
        case let string as String: string
        case let number as NSNumber: number.stringValue
        default: nil
        }
    }

    /// ISO 8601 text or seconds since 1970.
    static func parseTime(_ value: Any?) -> Date? {
        switch value {
        case let string as String:
            return JSONText.parseTimestamp(string)
        case let number as NSNumber:
            return Date(timeIntervalSince1970: number.doubleValue)
        default:
            return nil
        }
    }

    /// An item as text for `rejected_inbound`; unreadable strings appear with their bytes escaped.
    static func rawText(_ item: Any) -> String {
        switch item {
        case let object as [String: Any]:
            "{" + object.keys.sorted().map { "\(JSONText.quote($0)):\(rawText(object[$0]!))" }.joined(separator: ",") + "}"
        case let array as [Any]: "[" + array.map(rawText).joined(separator: ",") + "]"
        case let text as String: JSONText.quote(String(text.prefix(IntakeRule.maxRawBytes)))
        case let unreadable as StrictJSON.UnreadableString: "\"" + IntakeRule.escaped(unreadable.bytes) + "\""
        case let number as NSNumber: number.stringValue
        default: "null"
        }
    }

    static func percentEncode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
