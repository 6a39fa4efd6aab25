import FirstaskDesk
import Foundation
import GRDB

extension SQLiteStore: AttachmentStore {
    /// Records the attachments `message` announced, in the transaction that stores it (`storeInbound`).
    static func recordAttachments(of message: InboundMessage, channel: String, at stamp: Double, in db: Database) throws {
        guard !message.media.isEmpty else { return }
        let insert = try db.cachedStatement(sql: """
            INSERT INTO attachment (channel, provider_id, sender, position, locator, announced_type, next_attempt_at, received_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (channel, provider_id, position) DO NOTHING
            """)
        for (position, reference) in message.media.prefix(MediaReference.maxPerMessage).enumerated() {
            try insert.execute(arguments: [channel, message.providerID, message.from, position, reference.locator,
                                           reference.contentType, stamp, message.receivedAt.timeIntervalSince1970])
        }
    }

    static func attachment(_ row: Row) -> Attachment {
        Attachment(
            id: row["id"], channel: row["channel"], providerID: row["provider_id"], sender: row["sender"],
            reference: MediaReference(locator: row["locator"], contentType: row["announced_type"]),
            state: Attachment.State(rawValue: row["state"]) ?? .pending, sha256: row["sha256"], size: row["size"],
            contentType: row["content_type"], attempts: row["attempts"],
            nextAttemptAt: Date(timeIntervalSince1970: row["next_attempt_at"]), lastError: row["last_error"],
            ticketRef: row["ticket_ref"], receivedAt: Date(timeIntervalSince1970: row["received_at"]))
    }

    public func dueAttachments(now: Date, limit: Int) async throws -> [Attachment] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM attachment WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?
                """, arguments: [now.timeIntervalSince1970, limit]).map(Self.attachment)
        }
    }

    public func recordAttachmentStored(id: Int64, sha256: String, size: Int, contentType: String) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                UPDATE attachment SET state = 'stored', sha256 = ?, size = ?, content_type = ?, attempts = attempts + 1,
                    last_error = NULL WHERE id = ?
                """, arguments: [sha256, size, contentType, id])
        }
    }

    public func recordAttachmentFailure(id: Int64, reason: String, retryAt: Date?) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                UPDATE attachment SET state = ?, attempts = attempts + 1, last_error = ?, next_attempt_at = COALESCE(?, next_attempt_at)
                WHERE id = ? AND state = 'pending'
                """, arguments: [retryAt == nil ? "failed" : "pending", String(reason.prefix(500)), retryAt?.timeIntervalSince1970, id])
        }
    }

    public func unlinkedAttachments(limit: Int) async throws -> [(attachment: Attachment, text: String)] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT a.*, i.text AS message_text FROM attachment a
                JOIN inbound i ON i.channel = a.channel AND i.provider_id = a.provider_id
                WHERE a.ticket_ref IS NULL AND i.processed = 1 AND i.throttled = 0 ORDER BY a.id LIMIT ?
                """, arguments: [limit]).map { row in (Self.attachment(row), row["message_text"] as String) }
        }
    }

    public func linkAttachment(id: Int64, ticketRef: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE attachment SET ticket_ref = ? WHERE id = ? AND ticket_ref IS NULL", arguments: [ticketRef, id])
        }
    }

    public func attachments(ticketRef: String) async throws -> [Attachment] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM attachment WHERE ticket_ref = ? ORDER BY received_at, id",
                             arguments: [ticketRef]).map(Self.attachment)
        }
    }

    public func attachments(channel: String, providerID: String) async throws -> [Attachment] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM attachment WHERE channel = ? AND provider_id = ? ORDER BY position",
                             arguments: [channel, providerID]).map(Self.attachment)
        }
    }

    public func storedAttachment(sha256: String) async throws -> Attachment? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM attachment WHERE sha256 = ? AND state = 'stored' ORDER BY id LIMIT 1",
                             arguments: [sha256]).map(Self.attachment)
        }
    }
}
