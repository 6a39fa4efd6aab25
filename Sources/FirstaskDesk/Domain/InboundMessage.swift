import Foundation

/// A message a resident or staff member sent to the gateway, as one channel delivered it.
///
/// The pair (`channel`, `providerID`) identifies a message: a store keeps only the first
/// message with a given pair, so a redelivered message changes nothing.
public struct InboundMessage: Sendable, Equatable, Codable {
    /// The store's row id; `nil` until the message is stored.
    public var id: Int64?
    /// The configured channel id (`channels[].id`) the message arrived on.
    public var channel: String
    /// The provider's own id for the message; the deduplication key within a channel.
    public var providerID: String
    /// The sender's address on that channel (a phone number for SMS).
    public var from: String
    /// The gateway's address the message was sent to, when the provider says.
    public var to: String?
    /// Empty only when `media` is not (a photo without a caption).
    public var text: String
    /// When the provider received it (its clock), or when the gateway stored it if the provider did not say.
    public var receivedAt: Date
    /// Files the message announced (photos, PDFs), fetched after the message is stored.
    public var media: [MediaReference]

    public init(
        id: Int64? = nil, channel: String, providerID: String, from: String, to: String? = nil,
        text: String, receivedAt: Date, media: [MediaReference] = []
    ) {
        self.id = id
        self.channel = channel
        self.providerID = providerID
        self.from = from
        self.to = to
        self.text = text
        self.receivedAt = receivedAt
        self.media = media
    }

    enum CodingKeys: String, CodingKey { case id, channel, providerID, from, to, text, receivedAt, media }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(id: try container.decodeIfPresent(Int64.self, forKey: .id), channel: try container.decode(String.self, forKey: .channel),
                  providerID: try container.decode(String.self, forKey: .providerID), from: try container.decode(String.self, forKey: .from),
                  to: try container.decodeIfPresent(String.self, forKey: .to), text: try container.decode(String.self, forKey: .text),
                  receivedAt: try container.decode(Date.self, forKey: .receivedAt),
                  // Encoded before attachments existed: none.
                  media: try container.decodeIfPresent([MediaReference].self, forKey: .media) ?? [])
    }

    /// A photo or file without words.
    public var isMediaOnly: Bool { !media.isEmpty && text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
}

/// A message a channel delivered that could not be read as a message (no id, no sender, no text…).
///
/// It is recorded with the reason instead of stopping intake, so an operator can see what was skipped. It is
/// an `Error` so a channel can return `Result<InboundMessage, RejectedInbound>` for one delivery.
public struct RejectedInbound: Sendable, Equatable, Error {
    public var channel: String
    /// The raw item as received, truncated by the store to a safe size.
    public var raw: String
    public var reason: String
    public var receivedAt: Date

    public init(channel: String, raw: String, reason: String, receivedAt: Date) {
        self.channel = channel
        self.raw = raw
        self.reason = reason
        self.receivedAt = receivedAt
    }
}

/// What one poll or webhook call delivered, stored in one transaction together with the new cursor.
public struct InboundBatch: Sendable {
    public var channel: String
    public var messages: [InboundMessage]
    public var rejected: [RejectedInbound]
    /// The channel's cursor after this batch; `nil` keeps the stored cursor.
    public var cursor: String?

    public init(channel: String, messages: [InboundMessage], rejected: [RejectedInbound] = [], cursor: String?) {
        self.channel = channel
        self.messages = messages
        self.rejected = rejected
        self.cursor = cursor
    }
}
