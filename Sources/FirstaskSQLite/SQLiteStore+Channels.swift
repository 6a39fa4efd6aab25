import FirstaskDesk
import Foundation
import GRDB

extension SQLiteStore: ChannelStore {
    public func storeInbound(
        _ batch: InboundBatch, flood: FloodPolicy, now: Date, makeID: @Sendable () -> String
    ) async throws -> IntakeResult {
        let ids = batch.messages.map { _ in makeID() }
        return try await pool.write { db in
            let stamp = now.timeIntervalSince1970
            var result = IntakeResult()
            let insert = try db.cachedStatement(sql: """
                INSERT INTO inbound (channel, provider_id, sender, recipient, text, received_at, stored_at, processed, throttled)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (channel, provider_id) DO NOTHING
                """)
            let exists = try db.cachedStatement(sql: "SELECT 1 FROM inbound WHERE channel = ? AND provider_id = ?")
            let recent = try db.cachedStatement(sql: """
                SELECT COUNT(*), COALESCE(SUM(throttled), 0) FROM inbound WHERE channel = ? AND sender = ? AND stored_at > ?
                """)
            for (index, message) in batch.messages.enumerated() {
                if try Row.fetchOne(exists, arguments: [batch.channel, message.providerID]) != nil { continue }
                var decision = (throttle: false, notice: false)
                if flood.maxPerWindow > 0 {
                    let row = try Row.fetchOne(recent, arguments: [batch.channel, message.from, stamp - flood.window])
                    decision = flood.decide(recent: row?[0] ?? 0, recentThrottled: row?[1] ?? 0)
                }
                try insert.execute(arguments: [
                    batch.channel, message.providerID, message.from, message.to, message.text,
                    message.receivedAt.timeIntervalSince1970, stamp, decision.throttle ? 1 : 0, decision.throttle ? 1 : 0,
                ])
                try Self.recordAttachments(of: message, channel: batch.channel, at: stamp, in: db)
                if decision.throttle { result.throttled += 1 } else { result.accepted += 1 }
                if decision.notice, let notice = flood.notice(for: message.text) {
                    try SQLiteTransaction(db: db).enqueue(OutboundMessage(
                        id: ids[index], channel: batch.channel, to: message.from, text: notice, nextAttemptAt: now,
                        createdAt: now))
                    result.notices += 1
                }
            }
            try Self.recordRejectedAndCursor(batch, at: stamp, in: db)
            return result
        }
    }

    public func recordDeliveryReports(_ reports: [DeliveryReport]) async throws -> Int {
        guard !reports.isEmpty else { return 0 }
        return try await pool.write { db in
            let update = try db.cachedStatement(sql: """
                UPDATE outbox SET delivery_state = ?, delivery_detail = ?, delivery_at = ?
                WHERE id = ? AND (delivery_state IS NULL OR delivery_state = 'accepted' OR ? <> 'accepted')
                """)
            var matched = 0
            for report in reports {
                try update.execute(arguments: [report.state.rawValue, String(report.detail.prefix(500)),
                                               report.at.timeIntervalSince1970, report.outboxID, report.state.rawValue])
                matched += try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE id = ?", arguments: [report.outboxID]) ?? 0
            }
            return matched
        }
    }

    public func deliveryReport(outboxID: String) async throws -> DeliveryReport? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT delivery_state, delivery_detail, delivery_at FROM outbox WHERE id = ? AND delivery_state IS NOT NULL
                """, arguments: [outboxID]),
                let state = DeliveryReport.State(rawValue: row["delivery_state"])
            else { return nil }
            return DeliveryReport(outboxID: outboxID, state: state, detail: row["delivery_detail"] ?? "",
                                  at: Date(timeIntervalSince1970: row["delivery_at"] ?? 0))
        }
    }

    public func throttledCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM inbound WHERE throttled = 1") ?? 0 }
    }

    public func rejectedCounts() async throws -> [String: Int] {
        try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT channel, COUNT(*) AS count FROM rejected_inbound GROUP BY channel")
            return Dictionary(uniqueKeysWithValues: rows.map { (row: Row) -> (String, Int) in (row["channel"], row["count"]) })
        }
    }
}
