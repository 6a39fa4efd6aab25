import FirstaskCurl
import FirstaskDesk
import Foundation
import Logging

/// Settings of one `twilio` channel.
public struct TwilioSettings: Sendable, Equatable {
    public var id: String
    /// `AC…`; the REST account and the Basic-auth user.
    public var accountSID: String
    /// Signs webhooks and is the Basic-auth password.
    public var authToken: String
    /// Sender number (E.164); or use `messagingServiceSID`.
    public var from: String?
    public var messagingServiceSID: String?
    /// The webhook URL exactly as configured in Twilio's console (`https://gw.example.com/webhooks/<id>`):
    /// the signature covers it, so it must match what Twilio calls, scheme, host, port and path.
    public var publicURL: String
    /// The REST API root; tests point it at a fake.
    public var apiBase: String
    public var requestTimeout: Double

    public init(
        id: String, accountSID: String, authToken: String, from: String? = nil, messagingServiceSID: String? = nil,
        publicURL: String, apiBase: String = "https://api.twilio.com", requestTimeout: Double = 15
    ) {
        self.id = id
        self.accountSID = accountSID
        self.authToken = authToken
        self.from = from
        self.messagingServiceSID = messagingServiceSID
        self.publicURL = publicURL
        self.apiBase = apiBase.hasSuffix("/") ? String(apiBase.dropLast()) : apiBase
        self.requestTimeout = requestTimeout
    }
}

/// Twilio Programmable Messaging: inbound texts arrive on the webhook (form-encoded, signed with
/// `X-Twilio-Signature`), replies go out through `POST /2010-04-01/Accounts/{sid}/Messages.json`.
///
/// The webhook answers an empty TwiML `<Response/>` (replies are sent through the REST API, after the desk).
/// `MessageSid` is the deduplication key. Twilio's Messages API has no idempotency key, so a crash between
/// sending and recording can repeat a reply (counted by the crash test).
public struct TwilioChannel: MessageSink, WebhookChannel, MediaFetching {
    public let settings: TwilioSettings
    private let client: CurlHTTPClient

    /// Twilio's limit on `Body`.
    public static let maxBodyCharacters = 1600

    public init(settings: TwilioSettings, client: CurlHTTPClient) {
        self.settings = settings
        self.client = client
    }

    public var channelID: String { settings.id }
    public var webhookMethods: Set<String> { ["POST", "GET"] }

    static let emptyTwiML = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>"

    public func parseWebhook(_ request: WebhookRequest, now: Date) throws(WebhookError) -> WebhookIntake {
        guard webhookMethods.contains(request.method) else {
            throw WebhookError(.methodNotAllowed, "twilio webhook takes POST or GET, not \(request.method)")
        }
        guard let signature = request.header("X-Twilio-Signature"), !signature.isEmpty else {
            throw WebhookError(.forbidden, "twilio webhook call without X-Twilio-Signature")
        }
        // Form parameters are signed; query parameters are part of the URL.
        let form = request.method == "POST" ? FormEncoding.decodeStrings(String(decoding: request.body, as: UTF8.self)) : []
        var url = settings.publicURL
        if !request.query.isEmpty, !url.contains("?") { url += "?" + request.query }
        guard TwilioSignature.isValid(signature, authToken: settings.authToken, url: url, parameters: form) else {
            throw WebhookError(.forbidden, "twilio webhook call with a wrong X-Twilio-Signature (check public_url and auth_token)")
        }
        // The signature covers the decoded text; the rule reads the bytes as sent.
        let fields = FormEncoding.decodePairs(request.method == "POST" ? String(decoding: request.body, as: UTF8.self)[...] : request.query[...])
        func bytes(_ name: String) -> [UInt8]? { fields.first { $0.name.elementsEqual(name.utf8) }?.value }
        func field(_ name: String) -> String? { bytes(name).flatMap { String(validating: $0, as: UTF8.self) } }
        guard let sid = field("MessageSid") ?? field("SmsMessageSid"), !sid.isEmpty, sid.utf8.count <= 64 else {
            throw WebhookError(.malformed, "twilio webhook call without MessageSid")
        }
        guard let from = bytes("From"), !from.isEmpty else {
            throw WebhookError(.malformed, "twilio message \(sid) without From")
        }
        let body = bytes("Body") ?? []
        let response = WebhookIntake(responseBody: Self.emptyTwiML, responseContentType: "text/xml; charset=utf-8")
        let count = field("NumMedia") ?? "0"
        var media: [MediaReference] = []
        if let number = Int(count), number > 0 {
            for index in 0..<min(number, MediaReference.maxPerMessage + 1) {
                guard let url = field("MediaUrl\(index)"), MediaReference(locator: url).httpURL != nil else {
                    var rejected = response
                    rejected.rejected = [RejectedInbound(channel: channelID, raw: "twilio MessageSid=\(sid) NumMedia=\(count.prefix(8))",
                                                         reason: "NumMedia=\(number) but MediaUrl\(index) is not an http(s) URL", receivedAt: now)]
                    return rejected
                }
                media.append(MediaReference(locator: url, contentType: field("MediaContentType\(index)").map { String($0.prefix(100)) }))
            }
        }
        if media.isEmpty, body.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) {
            var rejected = response
            rejected.rejected = [RejectedInbound(channel: channelID, raw: "twilio MessageSid=\(sid) NumMedia=\(count.prefix(8))",
                                                 reason: "empty text", receivedAt: now)]
            return rejected
        }
        let delivery = IntakeRule.Delivery(channel: channelID, providerID: sid, from: from, to: field("To"), text: body,
                                           receivedAt: now, label: "twilio MessageSid=\(sid)", media: media)
        var intake = response
        switch IntakeRule.apply(delivery, now: now) {
        case let .success(message):
            intake.messages = [message]
        case let .failure(rejected):
            // Twilio does not retry a 4xx and shows it in its debugger, where the operator can see it.
            intake.rejected = [rejected]
            intake.refusal = WebhookError(.malformed, "twilio message \(sid) is unreadable: \(rejected.reason)")
        }
        return intake
    }

    /// `MediaUrl{N}` with the account's Basic auth. Twilio answers with a redirect to its media store, which is
    /// followed; libcurl does not send the credentials on to the other host.
    public func mediaRequest(for reference: MediaReference) async throws -> HTTPRequest {
        guard let url = reference.httpURL else {
            throw ChannelError(channel: channelID, message: "media locator is not an http(s) URL", retry: .never)
        }
        let credentials = Data("\(settings.accountSID):\(settings.authToken)".utf8).base64EncodedString()
        return HTTPRequest(method: .get, url: url, headers: [(name: "Authorization", value: "Basic \(credentials)")],
                           timeout: settings.requestTimeout * 2, maxRedirects: 3)
    }

    public func send(_ message: OutboundMessage) async throws {
        let request = try sendRequest(message)
        let response: HTTPResponse
        do {
            response = try await client.execute(request)
        } catch let error as HTTPClientError {
            if error.code == .cancelled { throw CancellationError() }
            throw ChannelError(channel: channelID, message: "send \(message.id): \(error)", retry: .backoff)
        }
        guard !(200..<300).contains(response.status) else { return }
        // Twilio's error body is {code, message, more_info, status}; the code says what is wrong.
        let code = (try? StrictJSON.object(response.body))?["code"].map { "\($0)" } ?? "-"
        throw ChannelError(channel: channelID, message: "send \(message.id) answered HTTP \(response.status) (Twilio code \(code))",
                           retry: HTTPInboxChannel.retry(for: response))
    }

    public func sendRequest(_ message: OutboundMessage) throws(ChannelError) -> HTTPRequest {
        guard !message.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ChannelError(channel: channelID, message: "send \(message.id): empty text is not sent", retry: .never)
        }
        guard message.text.count <= Self.maxBodyCharacters else {
            throw ChannelError(channel: channelID, message: "send \(message.id): text is longer than Twilio's \(Self.maxBodyCharacters) characters",
                               retry: .never)
        }
        var form = [("To", message.to), ("Body", message.text)]
        if let service = settings.messagingServiceSID { form.append(("MessagingServiceSid", service)) }
        else if let from = settings.from { form.append(("From", from)) }
        let credentials = Data("\(settings.accountSID):\(settings.authToken)".utf8).base64EncodedString()
        return HTTPRequest(
            method: .post, url: "\(settings.apiBase)/2010-04-01/Accounts/\(FormEncoding.encode(settings.accountSID))/Messages.json",
            headers: [(name: "Authorization", value: "Basic \(credentials)"),
                      (name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8"),
                      (name: "Accept", value: "application/json")],
            body: Data(FormEncoding.encode(form).utf8), timeout: settings.requestTimeout)
    }
}
