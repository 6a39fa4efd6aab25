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
public struct HTTPInboxChannel: MessageSource, MessageSink {
    public let settings: HTTPInboxSettings
    private let client: CurlHTTPClient
    private let logger: Logger

    /// The longest text accepted from an inbox; longer items are recorded as rejected.
    public static let maxTextBytes = 64 * 1024

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
        let page = try Self.parsePage(response.body, channel: channelID, now: Date())
        if page.repairedUTF8 {
            logger.warning("poll body was not valid UTF-8; the bad bytes were stored as U+FFFD", metadata: ["channel": "\(channelID)"])
        }
        return page.page
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

    /// Reads one `GET /messages` body. Throws when the body as a whole is unreadable; items that are
    /// not messages become `rejected` entries with the reason.
    ///
    /// A body that is not valid UTF-8 (a cheap phone's mangled byte, a gateway's wrong charset) is read with
    /// the bad bytes replaced by U+FFFD rather than refused: refusing it would stop intake at that page for
    /// good, while the replacement keeps every message, marked as damaged where it is.
    public static func parsePage(_ body: Data, channel: String, now: Date) throws -> (page: InboundPage, repairedUTF8: Bool) {
        var json: Any
        var repaired = false
        do {
            json = try JSONSerialization.jsonObject(with: body)
        } catch {
            guard String(data: body, encoding: .utf8) == nil,
                  let fixed = try? JSONSerialization.jsonObject(with: Data(String(decoding: body, as: UTF8.self).utf8))
            else {
                throw ChannelError(channel: channel, message: "poll returned malformed JSON (\(body.count) bytes)", retry: .backoff)
            }
            json = fixed
            repaired = true
        }
        guard let object = json as? [String: Any], let items = object["messages"] as? [Any] else {
            throw ChannelError(channel: channel, message: "poll returned JSON without a \"messages\" array", retry: .backoff)
        }
        var messages: [InboundMessage] = []
        var rejected: [RejectedInbound] = []
        for item in items {
            switch parseMessage(item, channel: channel, now: now) {
            case let .success(message): messages.append(message)
            case let .failure(reason):
                rejected.append(RejectedInbound(channel: channel, raw: rawText(item), reason: reason.text, receivedAt: now))
            }
        }
        let next = scalarString(object["next"])
        return (InboundPage(messages: messages, rejected: rejected, next: next), repaired)
    }

    struct Reason: Error { var text: String }

    static func parseMessage(_ item: Any, channel: String, now: Date) -> Result<InboundMessage, Reason> {
        guard let fields = item as? [String: Any] else { return .failure(Reason(text: "item is not a JSON object")) }
        guard let id = scalarString(fields["id"]), !id.isEmpty else { return .failure(Reason(text: "message has no id")) }
        guard let from = fields["from"] as? String, !from.trimmingCharacters(in: .whitespaces).isEmpty else {
            return .failure(Reason(text: "message \(id) has no sender (from)"))
        }
        guard let text = fields["text"] as? String else { return .failure(Reason(text: "message \(id) has no text")) }
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            return .failure(Reason(text: "message \(id) has empty text"))
        }
        guard text.utf8.count <= maxTextBytes else {
            return .failure(Reason(text: "message \(id) text is longer than \(maxTextBytes) bytes"))
        }
        let receivedAt = parseTime(fields["received_at"]) ?? now
        return .success(InboundMessage(channel: channel, providerID: id, from: from, to: fields["to"] as? String,
                                       text: text, receivedAt: receivedAt))
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

    static func rawText(_ item: Any) -> String {
        if JSONSerialization.isValidJSONObject(item), let data = try? JSONSerialization.data(withJSONObject: item) {
            return String(decoding: data, as: UTF8.self)
        }
        return String(describing: item)
    }

    static func percentEncode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
