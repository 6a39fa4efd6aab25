import FirstaskDesk
import Foundation

/// One HTTP request that reached a channel's webhook (`/webhooks/{channel id}`), as the edge received it.
public struct WebhookRequest: Sendable {
    /// `GET`, `POST`, … in capitals.
    public var method: String
    /// The path without the query (`/webhooks/kannel`).
    public var path: String
    /// The raw query string without `?`, still percent-encoded ("" when absent).
    public var query: String
    public var headers: [(name: String, value: String)]
    public var body: Data

    public init(method: String, path: String, query: String, headers: [(name: String, value: String)], body: Data) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The first header named `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }
}

/// What a webhook call delivered, to be stored before it is answered.
public struct WebhookIntake: Sendable {
    public var messages: [InboundMessage]
    public var rejected: [RejectedInbound]
    public var reports: [DeliveryReport]
    /// The 2xx body to answer with once everything above is stored (TwiML for Twilio, empty for others).
    public var responseBody: String
    public var responseContentType: String
    /// When set, the call is answered with this refusal once everything above is stored, instead of 2xx: a
    /// provider that reports refused calls to its operator (Twilio's debugger) learns that a delivery was
    /// unreadable. Kannel and Telegram never get one: they would retry or hold back later deliveries.
    public var refusal: WebhookError?

    public init(
        messages: [InboundMessage] = [], rejected: [RejectedInbound] = [], reports: [DeliveryReport] = [],
        responseBody: String = "", responseContentType: String = "text/plain; charset=utf-8"
    ) {
        self.messages = messages
        self.rejected = rejected
        self.reports = reports
        self.responseBody = responseBody
        self.responseContentType = responseContentType
    }
}

/// Why a webhook call was refused. The edge maps `code` to an HTTP status; `reason` is logged and is safe to
/// log: it never contains a phone number, a message body or a secret.
public struct WebhookError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Code: Sendable, Equatable {
        /// The request is not what the provider sends (missing field, bad encoding): 400.
        case malformed
        /// Signature or secret missing or wrong: 403.
        case forbidden
        /// A method the channel does not accept: 405.
        case methodNotAllowed
        /// The body is larger than the gateway accepts: 413.
        case tooLarge
    }

    public var code: Code
    public var reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { reason }
}

/// A channel that receives messages by webhook (the provider calls the gateway).
///
/// The gateway answers 2xx only after everything `parse` returned is stored, so a provider that retries on
/// failure never loses a message; redelivery is harmless because messages are deduplicated on
/// (`channel`, `providerID`).
public protocol WebhookChannel: Sendable {
    /// The configured channel id; the webhook path is `/webhooks/{channelID}`.
    var channelID: String { get }
    /// Methods the provider uses; any other is answered 405.
    var webhookMethods: Set<String> { get }
    /// Checks authenticity and reads the call. Pure apart from the clock value passed in; throws `WebhookError`.
    func parseWebhook(_ request: WebhookRequest, now: Date) throws(WebhookError) -> WebhookIntake
}
