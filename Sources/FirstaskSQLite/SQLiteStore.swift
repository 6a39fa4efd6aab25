import FirstaskDesk
import Foundation
import GRDB

/// The embedded default store: one SQLite file in WAL mode, every transaction synced to disk.
///
/// Writes are serialised by GRDB on its own writer queue (never the cooperative pool); reads run
/// concurrently from a pool.
public final class SQLiteStore: Store {
    let pool: DatabasePool
    public let path: String

    /// Opens (creating if needed) the database at `path` and migrates it to the current schema.
    public init(path: String) throws {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // WAL + FULL: a committed transaction survives a crash or power loss.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        do {
            // A fresh deployment's data folder may not exist yet.
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            pool = try DatabasePool(path: path, configuration: configuration)
            try SQLiteSchema.migrator.migrate(pool)
        } catch {
            throw StoreError(message: "cannot open the SQLite store at \(path): \(error)")
        }
    }

    /// The part of storing a batch both intake paths share: what the channel rejected (kept, truncated,
    /// with its reason) and the channel's cursor, in the same transaction as the messages before it.
    static func recordRejectedAndCursor(_ batch: InboundBatch, at stamp: Double, in db: Database) throws {
        let reject = try db.cachedStatement(
            sql: "INSERT INTO rejected_inbound (channel, raw, reason, received_at) VALUES (?, ?, ?, ?)")
        for item in batch.rejected {
            try reject.execute(arguments: [
                batch.channel, String(item.raw.prefix(4096)), item.reason, item.receivedAt.timeIntervalSince1970,
            ])
        }
        if let cursor = batch.cursor {
            try db.cachedStatement(sql: """
                INSERT INTO channel_cursor (channel, cursor, updated_at) VALUES (?, ?, ?)
                ON CONFLICT (channel) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at
                """).execute(arguments: [batch.channel, cursor, stamp])
        }
    }

    public func storeInbound(_ batch: InboundBatch) async throws -> Int {
        try await pool.write { db in
            let now = Date().timeIntervalSince1970
            var inserted = 0
            let insert = try db.cachedStatement(sql: """
                INSERT INTO inbound (channel, provider_id, sender, recipient, text, received_at, stored_at)
                VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (channel, provider_id) DO NOTHING
                """)
            for message in batch.messages {
                try insert.execute(arguments: [
                    batch.channel, message.providerID, message.from, message.to, message.text,
                    message.receivedAt.timeIntervalSince1970, now,
                ])
                guard db.changesCount > 0 else { continue }
                inserted += 1
                try Self.recordAttachments(of: message, channel: batch.channel, at: now, in: db)
            }
            try Self.recordRejectedAndCursor(batch, at: now, in: db)
            return inserted
        }
    }

    /// The stored inbound messages' ids and texts, oldest first (at most `limit` when given); for
    /// `firstask rules diff --store`.
    public func inboundTexts(limit: Int?) async throws -> [(id: Int64, text: String)] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, text FROM inbound ORDER BY id LIMIT ?", arguments: [limit ?? -1])
                .map { row in (id: row["id"], text: row["text"]) }
        }
    }

    public func cursor(channel: String) async throws -> String? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT cursor FROM channel_cursor WHERE channel = ?", arguments: [channel])
        }
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) throws -> T) async throws -> T {
        try await pool.write { db in try body(SQLiteTransaction(db: db)) }
    }

    public func pendingInbound(limit: Int) async throws -> [InboundMessage] {
        try await pool.read { db in try SQLiteTransaction(db: db).pendingInbound(limit: limit) }
    }

    public func dueOutbound(now: Date, limit: Int) async throws -> [OutboundMessage] {
        try await pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, rowid LIMIT ?
                """), arguments: [now.timeIntervalSince1970, limit]).map(Self.outbound)
        }
    }

    public func nextOutboundDue() async throws -> Date? {
        try await pool.read { db in
            try Double.fetchOne(db, sql: "SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'pending'")
                .map(Date.init(timeIntervalSince1970:))
        }
    }

    public func recordDeliveries(_ outcomes: [DeliveryOutcome]) async throws {
        guard !outcomes.isEmpty else { return }
        try await pool.write { db in
            let sent = try db.cachedStatement(sql: """
                UPDATE outbox SET status = 'sent', attempts = attempts + 1, sent_at = ?, last_error = NULL
                WHERE id = ? AND status = 'pending'
                """)
            let retry = try db.cachedStatement(sql: """
                UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?
                WHERE id = ? AND status = 'pending'
                """)
            let dead = try db.cachedStatement(sql: """
                UPDATE outbox SET status = 'dead', attempts = attempts + 1, last_error = ?
                WHERE id = ? AND status = 'pending'
                """)
            for outcome in outcomes {
                switch outcome.result {
                case .sent:
                    try sent.execute(arguments: [outcome.at.timeIntervalSince1970, outcome.id])
                case let .retry(at, error):
                    try retry.execute(arguments: [at.timeIntervalSince1970, error, outcome.id])
                case let .dead(error):
                    try dead.execute(arguments: [error, outcome.id])
                }
            }
        }
    }

    public func outbound(status: OutboundMessage.Status?) async throws -> [OutboundMessage] {
        try await pool.read { db in
            if let status {
                return try Row.fetchAll(db, sql: "SELECT * FROM outbox WHERE status = ? ORDER BY rowid",
                                        arguments: [status.rawValue]).map(Self.outbound)
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM outbox ORDER BY rowid").map(Self.outbound)
        }
    }

    public func tickets(_ filter: TicketFilter) async throws -> [Ticket] {
        try await pool.read { db in
            let condition = switch filter {
            case .open: "WHERE status <> 'closed'"
            case .closed: "WHERE status = 'closed'"
            case .all: ""
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM ticket \(condition) ORDER BY created_at, ref")
                .map(SQLiteTransaction.ticket)
        }
    }

    public func ticket(ref: String) async throws -> (ticket: Ticket, events: [TicketEvent])? {
        try await pool.read { db in
            guard let ticket = try SQLiteTransaction(db: db).ticket(ref: ref) else { return nil }
            let events = try SQLiteTransaction(db: db).events(ref: ref)
            return (ticket, events)
        }
    }

    public func replaceRoster(_ roster: Roster) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM shift; DELETE FROM staff")
            for (position, staff) in roster.staff.enumerated() {
                try db.execute(sql: """
                    INSERT INTO staff (id, position, name, address, department, role, locale, channel)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [staff.id, position, staff.name, staff.address, staff.department.rawValue,
                                     staff.role.rawValue, staff.locale.rawValue, staff.channel])
            }
            for shift in roster.shifts {
                try db.execute(sql: """
                    INSERT INTO shift (staff_id, department, start_minute, end_minute, days) VALUES (?, ?, ?, ?, ?)
                    """, arguments: [shift.staffID, shift.department.rawValue, shift.start, shift.end,
                                     shift.days.map { $0.sorted().map(String.init).joined(separator: ",") }])
            }
            try db.execute(sql: """
                INSERT INTO setting (key, value) VALUES ('roster.timezone', ?)
                ON CONFLICT (key) DO UPDATE SET value = excluded.value
                """, arguments: [roster.timeZone.identifier])
        }
    }

    public func roster() async throws -> Roster {
        try await pool.read { db in try SQLiteTransaction(db: db).roster() }
    }

    public func rejectedInbound() async throws -> [RejectedInbound] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM rejected_inbound ORDER BY id").map { row in
                RejectedInbound(channel: row["channel"], raw: row["raw"], reason: row["reason"],
                                receivedAt: Date(timeIntervalSince1970: row["received_at"]))
            }
        }
    }

    public func dutyLog(from: Date, to: Date) async throws -> [DutyLogEntry] {
        try await pool.read { db in try SQLiteTransaction.dutyLog(db, from: from, to: to) }
    }

    public func inboundCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM inbound") ?? 0 }
    }

    public func outboxBacklog() async throws -> [OutboxBacklog] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT channel, COUNT(*) AS pending, MIN(created_at) AS oldest FROM outbox
                WHERE status = 'pending' GROUP BY channel ORDER BY channel
                """).map {
                OutboxBacklog(channel: $0["channel"], pending: $0["pending"], oldestCreatedAt: Date(timeIntervalSince1970: $0["oldest"]))
            }
        }
    }

    public func checkReady() async throws {
        let migrated = try await pool.read { db in try SQLiteSchema.migrator.hasCompletedMigrations(db) }
        guard migrated else {
            throw StoreError(message: "the SQLite database at \(path) is not migrated to this build's schema; restart the gateway to migrate it")
        }
    }

    static func outbound(_ row: Row) -> OutboundMessage {
        OutboundMessage(
            id: row["id"], channel: row["channel"], to: row["recipient"], text: row["text"],
            ticketRef: row["ticket_ref"], status: OutboundMessage.Status(rawValue: row["status"]) ?? .pending,
            attempts: row["attempts"], nextAttemptAt: Date(timeIntervalSince1970: row["next_attempt_at"]),
            lastError: row["last_error"], createdAt: Date(timeIntervalSince1970: row["created_at"]),
            sentAt: (row["sent_at"] as Double?).map(Date.init(timeIntervalSince1970:)))
    }
}

/// A store failure the caller cannot fix by retrying the same call (bad path, corrupt file…).
public struct StoreError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
