import Foundation

/// A file a message announced (a photo, a PDF): what the channel needs to fetch it later.
///
/// Stored with its message in the same transaction, so a failed download never loses the message and can be
/// retried; the bytes are fetched afterwards (`AttachmentStore`, the gateway's media fetcher).
public struct MediaReference: Sendable, Equatable, Codable {
    /// A URL (Twilio, http-inbox) or the provider's file id (Telegram `file_id`, WeCom `media_id`).
    public var locator: String
    /// The type the provider announced, if any; the downloaded response's own type is what is checked.
    public var contentType: String?

    public init(locator: String, contentType: String? = nil) {
        self.locator = locator
        self.contentType = contentType
    }

    /// Most references kept per message (Twilio sends up to 10).
    public static let maxPerMessage = 10
}

/// One stored attachment: its message, fetch state, and once fetched its content address.
public struct Attachment: Sendable, Equatable {
    public enum State: String, Sendable, Equatable {
        /// Not fetched yet (or to be retried at `nextAttemptAt`).
        case pending
        /// Fetched; the bytes are stored under `sha256`.
        case stored
        /// Given up (not an allowed type, too large, or every retry failed); `lastError` says why.
        case failed
    }

    public var id: Int64
    public var channel: String
    /// The message's (`channel`, `providerID`).
    public var providerID: String
    /// Who sent it (the resident's or staff member's address on `channel`).
    public var sender: String
    public var reference: MediaReference
    public var state: State
    /// Lower-case hex SHA-256 of the bytes, once stored.
    public var sha256: String?
    public var size: Int?
    /// The type of the stored bytes (from the download), once stored.
    public var contentType: String?
    public var attempts: Int
    public var nextAttemptAt: Date
    /// Why the last attempt failed; never holds a URL's query, a token or the bytes.
    public var lastError: String?
    /// The ticket it belongs to, once known.
    public var ticketRef: String?
    public var receivedAt: Date

    public init(
        id: Int64, channel: String, providerID: String, sender: String, reference: MediaReference, state: State = .pending,
        sha256: String? = nil, size: Int? = nil, contentType: String? = nil, attempts: Int = 0, nextAttemptAt: Date,
        lastError: String? = nil, ticketRef: String? = nil, receivedAt: Date
    ) {
        self.id = id
        self.channel = channel
        self.providerID = providerID
        self.sender = sender
        self.reference = reference
        self.state = state
        self.sha256 = sha256
        self.size = size
        self.contentType = contentType
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.ticketRef = ticketRef
        self.receivedAt = receivedAt
    }

    /// Whether the stored type is an image (shown as a thumbnail).
    public var isImage: Bool { (contentType ?? "").hasPrefix("image/") }
}

/// What to accept and how to retry: pure rules for the media fetcher.
public struct MediaPolicy: Sendable, Equatable {
    /// Larger downloads are refused (and not retried).
    public var maxBytes: Int
    /// Allowed types (lower case, without parameters).
    public var allowedTypes: Set<String>
    /// Waits before the 2nd, 3rd, … attempt; after the last one the attachment is given up.
    public var retryDelays: [Double]

    public static let defaultTypes: Set<String> = [
        "image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "image/heif", "application/pdf",
    ]

    public init(maxBytes: Int = 10 << 20, allowedTypes: Set<String> = MediaPolicy.defaultTypes,
                retryDelays: [Double] = [5, 30, 120, 600, 3600, 6 * 3600]) {
        self.maxBytes = maxBytes
        self.allowedTypes = allowedTypes
        self.retryDelays = retryDelays
    }

    /// `type` without parameters, lower case (`image/JPEG; q=1` → `image/jpeg`).
    public static func bareType(_ type: String) -> String {
        String(type.split(separator: ";", maxSplits: 1).first ?? "").trimmingCharacters(in: .whitespaces).lowercased()
    }

    public func allows(_ type: String) -> Bool { allowedTypes.contains(Self.bareType(type)) }

    /// The type a download is stored as: the response's own, unless it names none or only
    /// `application/octet-stream` (Telegram's file server does), when the bytes' signature decides
    /// (JPEG, PNG, GIF, WebP, PDF); `nil` when neither says.
    public static func effectiveType(declared: String?, bytes: Data) -> String? {
        let bare = declared.map(bareType) ?? ""
        if !bare.isEmpty, bare != "application/octet-stream" { return bare }
        return sniff(bytes)
    }

    static func sniff(_ data: Data) -> String? {
        let head = [UInt8](data.prefix(12))
        func starts(_ prefix: [UInt8]) -> Bool { head.starts(with: prefix) }
        if starts([0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return "image/gif" }
        if starts(Array("%PDF-".utf8)) { return "application/pdf" }
        if head.count == 12, starts(Array("RIFF".utf8)), Array(head[8..<12]) == Array("WEBP".utf8) { return "image/webp" }
        return nil
    }

    /// After a failed attempt number `attempt` (1-based): when to try again, or `nil` to give up.
    public func nextAttempt(after attempt: Int, now: Date) -> Date? {
        guard attempt >= 1, attempt <= retryDelays.count else { return nil }
        return now.addingTimeInterval(retryDelays[attempt - 1])
    }
}

/// Which ticket an attachment belongs to. Pure; the media fetcher applies it to handled messages.
public enum AttachmentLink {
    /// A ticket the message names (`完成 T0003` with a photo from staff; a resident naming their own ticket)
    /// when the sender may act on it, else the sender's newest open ticket; `nil` keeps the attachment
    /// waiting (a resident's photo that got the clarifying question waits for the ticket the answer opens).
    ///
    /// - Parameters:
    ///   - mentioned: the tickets whose refs the message's text names, in order.
    ///   - senderOpen: the sender's open tickets as a resident.
    ///   - senderIsStaff: whether the sender is on the roster (staff may attach to any ticket they name).
    public static func target(sender: String, mentioned: [Ticket], senderOpen: [Ticket], senderIsStaff: Bool) -> String? {
        if let named = mentioned.first(where: { senderIsStaff || $0.resident == sender }) { return named.ref }
        return senderOpen.filter { $0.status.isOpen }.max { ($0.createdAt, $0.ref) < ($1.createdAt, $1.ref) }?.ref
    }
}
