import FirstaskCurl
import FirstaskDesk
import Foundation

/// Settings of one `telegram` channel.
public struct TelegramSettings: Sendable, Equatable {
    public enum Mode: String, Sendable, Equatable {
        /// `getUpdates` long polling (no public URL needed).
        case polling
        /// Telegram POSTs updates to `/webhooks/<id>` (set with `setWebhook` and `secret_token`).
        case webhook
    }

    public var id: String
    /// The bot token from @BotFather.
    public var token: String
    public var mode: Mode
    /// Long-poll seconds asked of `getUpdates`.
    public var pollTimeout: Int
    /// Most updates per `getUpdates` (1–100).
    public var limit: Int
    /// Webhook mode: the `secret_token` given to `setWebhook`; calls must carry it in `X-Telegram-Bot-Api-Secret-Token`.
    public var webhookSecret: String?
    public var apiBase: String
    /// Seconds allowed for a request beyond the long poll.
    public var requestTimeout: Double

    public init(
        id: String, token: String, mode: Mode = .polling, pollTimeout: Int = 30, limit: Int = 100, webhookSecret: String? = nil,
        apiBase: String = "https://api.telegram.org", requestTimeout: Double = 10
    ) {
        self.id = id
        self.token = token
        self.mode = mode
        self.pollTimeout = pollTimeout
        self.limit = limit
        self.webhookSecret = webhookSecret
        self.apiBase = apiBase.hasSuffix("/") ? String(apiBase.dropLast()) : apiBase
        self.requestTimeout = requestTimeout
    }
}

/// The Telegram Bot API as a chat channel. Addresses are chat ids.
///
/// Polling: `getUpdates?offset=<cursor>&timeout=<pollTimeout>`; the cursor is the last stored `update_id` + 1,
/// stored by the poller in the same transaction as the updates, so an update is confirmed to Telegram (by the
/// next call's higher offset) only after it is stored. `update_id` is the deduplication key. Updates that are
/// not text messages are recorded as rejected and passed over. Sending: `sendMessage {chat_id, text}`;
/// 429 carries `parameters.retry_after`, honoured before the next attempt; Telegram has no idempotency key.
public struct TelegramChannel: MessageSource, MessageSink, WebhookChannel, MediaFetching {
    public let settings: TelegramSettings
    private let client: CurlHTTPClient

    /// Telegram's limit on one message's text.
    public static let maxTextCharacters = 4096

    public init(settings: TelegramSettings, client: CurlHTTPClient) {
        self.settings = settings
        self.client = client
    }

    public var channelID: String { settings.id }
    public var webhookMethods: Set<String> { ["POST"] }

    private func method(_ name: String) -> String { "\(settings.apiBase)/bot\(settings.token)/\(name)" }

    // MARK: Polling

    public func fetch(after cursor: String?) async throws -> InboundPage {
        var query = "timeout=\(settings.pollTimeout)&limit=\(settings.limit)&allowed_updates=%5B%22message%22%2C%22edited_message%22%5D"
        if let cursor { query += "&offset=\(FormEncoding.encode(cursor))" }
        let response = try await perform(HTTPRequest(method: .get, url: method("getUpdates") + "?" + query,
                                                     timeout: Double(settings.pollTimeout) + settings.requestTimeout), what: "getUpdates")
        let result = try Self.result(of: response, channel: channelID, what: "getUpdates")
        return try Self.parseUpdates(result, channel: channelID, now: Date())
    }

    /// Reads a `getUpdates` result array. The next cursor is the highest `update_id` + 1, also past updates
    /// that are not text messages (they are returned as rejected); `nil` for an empty page.
    public static func parseUpdates(_ result: Any, channel: String, now: Date) throws -> InboundPage {
        guard let updates = result as? [Any] else {
            throw ChannelError(channel: channel, message: "getUpdates result is not an array", retry: .backoff)
        }
        var messages: [InboundMessage] = []
        var rejected: [RejectedInbound] = []
        var highest: Int64?
        for item in updates {
            guard let update = item as? [String: Any], let id = (update["update_id"] as? NSNumber)?.int64Value else {
                rejected.append(RejectedInbound(channel: channel, raw: "telegram update without update_id", reason: "no update_id", receivedAt: now))
                continue
            }
            highest = max(highest ?? id, id)
            switch parseUpdate(update, channel: channel, now: now) {
            case let .success(message): messages.append(message)
            case let .failure(entry): rejected.append(entry)
            }
        }
        return InboundPage(messages: messages, rejected: rejected, next: highest.map { String($0 + 1) })
    }

    /// One update as a message, or the `rejected_inbound` entry saying why it is none (`IntakeRule` for the text).
    static func parseUpdate(_ update: [String: Any], channel: String, now: Date) -> Result<InboundMessage, RejectedInbound> {
        let id = (update["update_id"] as? NSNumber)?.int64Value
        func reject(_ reason: String) -> Result<InboundMessage, RejectedInbound> {
            .failure(RejectedInbound(channel: channel, raw: "telegram update \(id.map(String.init) ?? "?")", reason: reason, receivedAt: now))
        }
        guard let id else { return reject("no update_id") }
        guard let message = (update["message"] ?? update["edited_message"]) as? [String: Any] else {
            return reject("update \(id) is not a message")
        }
        guard let chat = message["chat"] as? [String: Any], let chatID = (chat["id"] as? NSNumber)?.int64Value else {
            return reject("update \(id) has no chat id")
        }
        // A photo comes in several sizes, smallest first: the largest is kept. A document keeps its MIME type.
        var media: [MediaReference] = []
        if let sizes = message["photo"] as? [Any], let largest = sizes.last as? [String: Any], let file = largest["file_id"] as? String {
            media.append(MediaReference(locator: file, contentType: "image/jpeg"))
        } else if let document = message["document"] as? [String: Any], let file = document["file_id"] as? String {
            media.append(MediaReference(locator: file, contentType: (document["mime_type"] as? String).map { String($0.prefix(100)) }))
        }
        // A photo's words are its caption.
        guard let text = IntakeRule.bytes(ofJSON: message["text"] ?? message["caption"]) ?? (media.isEmpty ? nil : []) else {
            return reject("update \(id) has no text")
        }
        let date = (message["date"] as? NSNumber).map { Date(timeIntervalSince1970: $0.doubleValue) } ?? now
        return IntakeRule.apply(IntakeRule.Delivery(channel: channel, providerID: String(id), from: Array(String(chatID).utf8), text: text,
                                                    receivedAt: date, label: "telegram update \(id)", media: media), now: now)
    }

    /// The `result` of an `{"ok": true, "result": …}` answer, or the error it describes.
    static func result(of response: HTTPResponse, channel: String, what: String) throws -> Any {
        let object = try? StrictJSON.object(response.body, unreadableStrings: .keep)
        if let object, object["ok"] as? Bool == true, let result = object["result"] { return result }
        let code = (object?["error_code"] as? NSNumber)?.intValue ?? response.status
        let description = String((object?["description"] as? String ?? "no description").prefix(200))
        let retryAfter = ((object?["parameters"] as? [String: Any])?["retry_after"] as? NSNumber)?.doubleValue
        let retry: ChannelError.Retry = if let retryAfter { .after(seconds: retryAfter) }
            else if code == 429 || code >= 500 || object == nil { .backoff }
            else { .never }
        throw ChannelError(channel: channel, message: "\(what) failed: \(code) \(description)", retry: retry)
    }

    private func perform(_ request: HTTPRequest, what: String) async throws -> HTTPResponse {
        do {
            return try await client.execute(request)
        } catch let error as HTTPClientError {
            if error.code == .cancelled { throw CancellationError() }
            // The URL holds the bot token: name the method only.
            throw ChannelError(channel: channelID, message: "\(what): \(error.code) (\(error.reason))", retry: .backoff)
        }
    }

    // MARK: Media

    /// `getFile?file_id=…`, then `{api_base}/file/bot<token>/<file_path>` (Telegram keeps a download link
    /// valid for at least an hour, so it is asked for each attempt).
    public func mediaRequest(for reference: MediaReference) async throws -> HTTPRequest {
        let response = try await perform(HTTPRequest(method: .get, url: method("getFile") + "?file_id=" + FormEncoding.encode(reference.locator),
                                                     timeout: settings.requestTimeout), what: "getFile")
        let result = try Self.result(of: response, channel: channelID, what: "getFile")
        guard let path = (result as? [String: Any])?["file_path"] as? String, !path.isEmpty, !path.contains("..") else {
            throw ChannelError(channel: channelID, message: "getFile answered without a file_path (file too big for the Bot API?)", retry: .never)
        }
        return HTTPRequest(method: .get, url: "\(settings.apiBase)/file/bot\(settings.token)/\(path)", timeout: settings.requestTimeout * 3)
    }

    // MARK: Sending

    public func send(_ message: OutboundMessage) async throws {
        guard !message.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ChannelError(channel: channelID, message: "send \(message.id): empty text is not sent", retry: .never)
        }
        guard message.text.count <= Self.maxTextCharacters else {
            throw ChannelError(channel: channelID, message: "send \(message.id): text is longer than \(Self.maxTextCharacters) characters", retry: .never)
        }
        let chat: Any = Int64(message.to) ?? message.to
        let body = try JSONSerialization.data(withJSONObject: ["chat_id": chat, "text": message.text])
        let response = try await perform(HTTPRequest(method: .post, url: method("sendMessage"),
                                                     headers: [(name: "Content-Type", value: "application/json")], body: body,
                                                     timeout: settings.requestTimeout), what: "sendMessage \(message.id)")
        _ = try Self.result(of: response, channel: channelID, what: "sendMessage \(message.id)")
    }

    // MARK: Webhook

    public func parseWebhook(_ request: WebhookRequest, now: Date) throws(WebhookError) -> WebhookIntake {
        guard request.method == "POST" else { throw WebhookError(.methodNotAllowed, "telegram webhook takes POST, not \(request.method)") }
        guard settings.mode == .webhook, let secret = settings.webhookSecret else {
            throw WebhookError(.forbidden, "telegram channel is not in webhook mode with a secret")
        }
        guard let given = request.header("X-Telegram-Bot-Api-Secret-Token"), ConstantTime.equal(Array(given.utf8), Array(secret.utf8)) else {
            throw WebhookError(.forbidden, "telegram webhook call without the right X-Telegram-Bot-Api-Secret-Token")
        }
        guard let update = try? StrictJSON.object(request.body, unreadableStrings: .keep),
              (update["update_id"] as? NSNumber)?.int64Value != nil
        else { throw WebhookError(.malformed, "telegram webhook body is not an update (JSON with update_id)") }
        // An unreadable update is answered 2xx like a good one: Telegram holds back later updates while it retries.
        switch Self.parseUpdate(update, channel: channelID, now: now) {
        case let .success(message): return WebhookIntake(messages: [message])
        case let .failure(entry): return WebhookIntake(rejected: [entry])
        }
    }
}
