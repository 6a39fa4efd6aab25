import FirstaskCurl
import FirstaskDesk
import Foundation
import Logging

/// Settings of one `kannel` channel (`channels[]` entry of type `kannel`).
public struct KannelSettings: Sendable, Equatable {
    public var id: String
    /// smsbox's sendsms URL, e.g. `http://127.0.0.1:13013/cgi-bin/sendsms`.
    public var sendsmsURL: String
    /// A `sendsms-user` of smsbox.
    public var username: String
    public var password: String
    /// Sender address (`from`); Kannel's `default-sender` when `nil`.
    public var from: String?
    /// Route replies through this smsc-id; Kannel's routing when `nil`.
    public var smsc: String?
    /// The gateway's webhook URL as Kannel reaches it (`http://127.0.0.1:8080/webhooks/<id>`); when set, every
    /// send asks for delivery reports there.
    public var dlrURL: String?
    /// When set, webhook calls must carry `secret=<this>` in the query (put it in get-url and it is added to
    /// dlr-url); letters, digits, `_` and `-` only, since Kannel expands `%` escapes in its URLs.
    public var secret: String?
    /// The most SMS parts one reply may take; must not exceed the sendsms-user's `max-messages`.
    public var maxParts: Int
    public var requestTimeout: Double

    public init(
        id: String, sendsmsURL: String, username: String, password: String, from: String? = nil, smsc: String? = nil,
        dlrURL: String? = nil, secret: String? = nil, maxParts: Int = 10, requestTimeout: Double = 10
    ) {
        self.id = id
        self.sendsmsURL = sendsmsURL
        self.username = username
        self.password = password
        self.from = from
        self.smsc = smsc
        self.dlrURL = dlrURL
        self.secret = secret
        self.maxParts = maxParts
        self.requestTimeout = requestTimeout
    }
}

/// Kannel (1.4.x) as an SMS channel: mobile-originated messages arrive on the webhook from an `sms-service`
/// `get-url`; replies go out through smsbox's `sendsms` CGI; delivery reports come back on the webhook.
///
/// The get-url to configure (README, "Kannel"):
/// `http://<gateway>/webhooks/<id>?id=%I&from=%p&to=%P&text=%b&charset=%C&coding=%c&time=%T[&secret=S]` with
/// `max-messages = 0` on the service (replies are sent asynchronously). `%b` carries the exact bytes and
/// `%C` their charset; `%I` (Kannel's message UUID, stable across its retries) is the deduplication key.
///
/// Replies are sent with `charset=UTF-8` and `coding=2` (UCS-2) unless the text is pure GSM 7-bit, then
/// `coding=0`: without `coding=2` Kannel replaces CJK with `?`, and without `charset` it reads the text
/// as UTF-16BE (README, "Channels"). Kannel concatenates long texts itself; `SMSSegmenter` decides how many parts
/// a reply takes and replies longer than `maxParts` are refused as final errors.
public struct KannelChannel: MessageSink, WebhookChannel {
    public let settings: KannelSettings
    private let client: CurlHTTPClient
    private let logger: Logger

    public init(settings: KannelSettings, client: CurlHTTPClient, logger: Logger = Logger(label: "firstask.kannel")) {
        self.settings = settings
        self.client = client
        self.logger = logger
    }

    public var channelID: String { settings.id }
    public var webhookMethods: Set<String> { ["GET", "POST"] }

    // MARK: Sending

    public func send(_ message: OutboundMessage) async throws {
        let request = try sendRequest(message)
        let response: HTTPResponse
        do {
            response = try await client.execute(request)
        } catch let error as HTTPClientError {
            if error.code == .cancelled { throw CancellationError() }
            throw ChannelError(channel: channelID, message: "sendsms \(message.id): \(error)", retry: .backoff)
        }
        if let error = Self.sendError(message, response, channel: channelID) { throw error }
    }

    /// The sendsms request for `message`; throws a final `ChannelError` for texts Kannel must not be given.
    public func sendRequest(_ message: OutboundMessage) throws(ChannelError) -> HTTPRequest {
        guard !message.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            // Kannel accepts an empty text with 202 and sends an empty SMS.
            throw ChannelError(channel: channelID, message: "send \(message.id): empty text is not sent", retry: .never)
        }
        let (encoding, parts) = SMSSegmenter.split(message.text)
        guard parts.count <= settings.maxParts else {
            throw ChannelError(channel: channelID, message: "send \(message.id): the text needs \(parts.count) SMS parts, "
                + "more than max_parts \(settings.maxParts)", retry: .never)
        }
        var query: [(String, String)] = [
            ("username", settings.username), ("password", settings.password), ("to", message.to),
            ("text", message.text), ("charset", "UTF-8"), ("coding", encoding == .ucs2 ? "2" : "0"),
        ]
        if let from = settings.from { query.append(("from", from)) }
        if let smsc = settings.smsc { query.append(("smsc", smsc)) }
        if let dlr = settings.dlrURL {
            // Kannel decodes this value once and then expands %d (report type) and %A (SMSC reply).
            var url = dlr + (dlr.contains("?") ? "&" : "?") + "kind=dlr&outbox=\(FormEncoding.encode(message.id))&type=%d&reply=%A"
            if let secret = settings.secret { url += "&secret=\(secret)" }
            query.append(("dlr-mask", "31"))
            query.append(("dlr-url", url))
        }
        let separator = settings.sendsmsURL.contains("?") ? "&" : "?"
        return HTTPRequest(method: .get, url: settings.sendsmsURL + separator + FormEncoding.encode(query),
                           timeout: settings.requestTimeout)
    }

    /// `nil` when smsbox accepted the message (202 "0: Accepted" or "3: Queued"); 503 and 5xx are retried.
    static func sendError(_ message: OutboundMessage, _ response: HTTPResponse, channel: String) -> ChannelError? {
        guard !(200..<300).contains(response.status) else { return nil }
        // smsbox's reply text is short and names the problem ("Authorization failed for sendsms"); no secrets.
        let said = String(decoding: response.body.prefix(120), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return ChannelError(channel: channel, message: "sendsms \(message.id) answered HTTP \(response.status) (\(said))",
                            retry: HTTPInboxChannel.retry(for: response))
    }

    // MARK: Webhook

    public func parseWebhook(_ request: WebhookRequest, now: Date) throws(WebhookError) -> WebhookIntake {
        guard webhookMethods.contains(request.method) else {
            throw WebhookError(.methodNotAllowed, "kannel webhook takes GET (get-url) or POST, not \(request.method)")
        }
        var fields: [String: [UInt8]] = [:]
        for (name, value) in FormEncoding.decodePairs(request.query[...]) {
            let key = String(decoding: name, as: UTF8.self)
            if fields[key] == nil { fields[key] = value }
        }
        // Names and control fields (id, charset, kind…) are ASCII in every get-url; a value that is not UTF-8 is absent.
        func string(_ name: String) -> String? { fields[name].flatMap { String(validating: $0, as: UTF8.self) } }
        if let secret = settings.secret {
            guard let given = fields["secret"], ConstantTime.equal(given, Array(secret.utf8)) else {
                throw WebhookError(.forbidden, "kannel webhook call without the configured secret")
            }
        }
        if string("kind") == "dlr" { return try parseReport(string, now: now) }

        guard let id = string("id"), !id.isEmpty, id.utf8.count <= 128 else {
            throw WebhookError(.malformed, "kannel MO without id (%I) — check the get-url")
        }
        guard let from = fields["from"], !from.isEmpty else {
            throw WebhookError(.malformed, "kannel MO \(id) without from (%p) — check the get-url")
        }
        guard let bytes = fields["text"] else {
            throw WebhookError(.malformed, "kannel MO \(id) without text (%b) — check the get-url")
        }
        let received = string("time").flatMap(Double.init).map(Date.init(timeIntervalSince1970:)) ?? now
        let charset = string("charset") ?? ""
        let coding = string("coding")
        let label = "kannel MO id=\(id) charset=\(charset.prefix(32)) coding=\(coding?.prefix(4) ?? "") bytes=\(bytes.count)"
        // Answered 2xx whatever the rule decides: Kannel retries a refused call and then drops it.
        guard let encoding = Self.encoding(charset: charset, coding: coding) else {
            return WebhookIntake(rejected: [RejectedInbound(
                channel: channelID, raw: "\(label) text=\(IntakeRule.escaped(bytes))",
                reason: "binary or unknown charset '\(charset.prefix(32))' is not text", receivedAt: now)])
        }
        let delivery = IntakeRule.Delivery(channel: channelID, providerID: id, from: from, to: string("to"), text: bytes,
                                           encoding: encoding, receivedAt: received, label: label)
        switch IntakeRule.apply(delivery, now: now) {
        case let .success(message): return WebhookIntake(messages: [message])
        case let .failure(rejected): return WebhookIntake(rejected: [rejected])
        }
    }

    func parseReport(_ string: (String) -> String?, now: Date) throws(WebhookError) -> WebhookIntake {
        guard let outbox = string("outbox"), !outbox.isEmpty, outbox.utf8.count <= 128 else {
            throw WebhookError(.malformed, "kannel delivery report without outbox id")
        }
        guard let type = string("type").flatMap({ Int($0) }) else {
            throw WebhookError(.malformed, "kannel delivery report for \(outbox) without a numeric type (%d)")
        }
        let state: DeliveryReport.State = switch type {
        case 1: .delivered
        case 2: .undelivered
        case 16: .rejected
        default: .accepted  // 4 queued on SMSC, 8 delivered to SMSC
        }
        let reply = String((string("reply") ?? "").prefix(200))
        return WebhookIntake(reports: [DeliveryReport(outboxID: outbox, state: state, detail: "dlr \(type) \(reply)", at: now)])
    }

    /// The encoding `%C` (charset) and `%c` (coding) declare for `%b`; `nil` for binary (8-bit, coding 1)
    /// messages and charsets that are not text. A 7-bit message without a charset is read as Windows-1252,
    /// the superset of ISO-8859-1 Kannel's GSM conversion produces.
    public static func encoding(charset: String, coding: String?) -> IntakeRule.Encoding? {
        if coding == "1" { return nil }
        return switch charset.uppercased() {
        case "UTF-8", "UTF8": .utf8
        case "UTF-16BE", "UTF-16", "UCS-2", "UCS2", "UNICODEBIG": .utf16BE
        case "ISO-8859-1", "LATIN1": .latin1
        case "WINDOWS-1252", "CP1252", "GSM", "": .windows1252
        default: nil
        }
    }
}
