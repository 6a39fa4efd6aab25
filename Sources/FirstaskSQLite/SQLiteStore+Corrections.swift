import FirstaskDesk
import Foundation
import GRDB

extension SQLiteStore {
    public func corrections(since: Date?) async throws -> [LabelCorrection] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM label_correction WHERE at >= ? ORDER BY at, id",
                             arguments: [since?.timeIntervalSince1970 ?? -Double.greatestFiniteMagnitude])
                .map(SQLiteTransaction.correction)
        }
    }

    /// The stored inbound messages' ids, senders and texts, oldest first; for `firstask rules suggest`, which
    /// leaves staff numbers' texts (commands, not residents' words) out of its word counts.
    public func inboundMessages() async throws -> [(id: Int64, from: String, text: String)] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, sender, text FROM inbound ORDER BY id")
                .map { row in (id: row["id"], from: row["sender"], text: row["text"]) }
        }
    }
}
