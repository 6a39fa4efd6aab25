import Foundation

/// Where attachments are recorded: one row per announced file, written with its message by
/// `storeInbound` (both variants) in the same transaction, then fetched and linked to a ticket.
///
/// Kept apart from `Store` so the attachment operations add to the store without changing it.
/// Implementations (`SQLiteStore`, `InMemoryStore`) pass the same contract tests; every method is atomic.
public protocol AttachmentStore: Sendable {
    /// Pending attachments due at `now`, oldest first.
    func dueAttachments(now: Date, limit: Int) async throws -> [Attachment]

    /// Marks attachment `id` stored with the bytes' address, size and type.
    func recordAttachmentStored(id: Int64, sha256: String, size: Int, contentType: String) async throws

    /// Records a failed attempt: pending again at `retryAt`, or failed for good when `retryAt` is nil.
    /// `reason` must not hold a token, a URL's query or content.
    func recordAttachmentFailure(id: Int64, reason: String, retryAt: Date?) async throws

    /// Unlinked attachments whose message the desk has handled (not throttled ones), oldest first, each
    /// with its message's text (which may name a ticket).
    func unlinkedAttachments(limit: Int) async throws -> [(attachment: Attachment, text: String)]

    /// Puts attachment `id` on ticket `ticketRef` (`AttachmentLink.target` decides which).
    func linkAttachment(id: Int64, ticketRef: String) async throws

    /// A ticket's attachments, oldest first.
    func attachments(ticketRef: String) async throws -> [Attachment]

    /// Every attachment of a message (`channel`, `providerID`).
    func attachments(channel: String, providerID: String) async throws -> [Attachment]

    /// The stored attachment with these bytes, if any (the admin API's download).
    func storedAttachment(sha256: String) async throws -> Attachment?
}
