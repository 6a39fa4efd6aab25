import FirstaskClassifier
import FirstaskDesk
import Foundation
import GRDB

/// The desk's view of one SQLite write transaction. Statements are cached per connection.
struct SQLiteTransaction: StoreTransaction {
    let db: Database

    func pendingInbound(limit: Int) throws -> [InboundMessage] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM inbound WHERE processed = 0 ORDER BY id LIMIT ?"),
                         arguments: [limit]).map { row in
            InboundMessage(id: row["id"], channel: row["channel"], providerID: row["provider_id"], from: row["sender"],
                           to: row["recipient"], text: row["text"],
                           receivedAt: Date(timeIntervalSince1970: row["received_at"]))
        }
    }

    func markProcessed(through inboundID: Int64) throws {
        try db.cachedStatement(sql: "UPDATE inbound SET processed = 1 WHERE processed = 0 AND id <= ?")
            .execute(arguments: [inboundID])
    }

    func openTickets(resident: String) throws -> [Ticket] {
        try Row.fetchAll(db.cachedStatement(sql: """
            SELECT * FROM ticket WHERE resident = ? AND status <> 'closed' ORDER BY created_at, ref
            """), arguments: [resident]).map(Self.ticket)
    }

    func ticket(ref: String) throws -> Ticket? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM ticket WHERE ref = ?"), arguments: [ref])
            .map(Self.ticket)
    }

    func openTicketCount(handler staffID: String) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM ticket WHERE handler = ? AND status <> 'closed'"),
                         arguments: [staffID]) ?? 0
    }

    func nextTicketNumber() throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: """
            INSERT INTO counter (name, value) VALUES ('ticket', 1)
            ON CONFLICT (name) DO UPDATE SET value = value + 1
            RETURNING value
            """)) ?? 1
    }

    func insertTicket(_ ticket: Ticket) throws {
        try db.cachedStatement(sql: """
            INSERT INTO ticket (ref, status, intent, category, department, severity, location_building,
                location_unit, location_room, resident, channel, locale, text, first_responder, handler,
                rules_version, created_at, first_response_at, promised_reply_at, resolved_at, closed_at, satisfaction)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: StatementArguments(Self.values(ticket)))
    }

    func updateTicket(_ ticket: Ticket) throws {
        var values = Self.values(ticket)
        values.append(values.removeFirst())  // ref goes last, for the WHERE clause
        try db.cachedStatement(sql: """
            UPDATE ticket SET status = ?, intent = ?, category = ?, department = ?, severity = ?,
                location_building = ?, location_unit = ?, location_room = ?, resident = ?, channel = ?, locale = ?,
                text = ?, first_responder = ?, handler = ?, rules_version = ?, created_at = ?, first_response_at = ?,
                promised_reply_at = ?, resolved_at = ?, closed_at = ?, satisfaction = ?
            WHERE ref = ?
            """).execute(arguments: StatementArguments(values))
    }

    func appendEvent(_ event: TicketEvent) throws {
        try db.cachedStatement(sql: """
            INSERT INTO ticket_event (ticket_ref, at, actor, kind, text, channel) VALUES (?, ?, ?, ?, ?, ?)
            """).execute(arguments: [event.ticketRef, event.at.timeIntervalSince1970, event.actor, event.kind.rawValue,
                                     event.text, event.channel])
    }

    func enqueue(_ message: OutboundMessage) throws {
        try db.cachedStatement(sql: """
            INSERT INTO outbox (id, channel, recipient, text, ticket_ref, status, attempts, next_attempt_at,
                last_error, created_at, sent_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING
            """).execute(arguments: [
                message.id, message.channel, message.to, message.text, message.ticketRef, message.status.rawValue,
                message.attempts, message.nextAttemptAt.timeIntervalSince1970, message.lastError,
                message.createdAt.timeIntervalSince1970, message.sentAt?.timeIntervalSince1970,
            ])
    }

    func roster() throws -> Roster {
        let staff = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM staff ORDER BY position")).compactMap { row -> Staff? in
            guard let department = Department(rawValue: row["department"]) else { return nil }
            return Staff(id: row["id"], name: row["name"], address: row["address"], department: department,
                         role: Staff.Role(rawValue: row["role"]) ?? .staff,
                         locale: ReplyLocale(rawValue: row["locale"]) ?? .zhHans, channel: row["channel"])
        }
        let shifts = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM shift ORDER BY id")).compactMap { row -> Shift? in
            guard let department = Department(rawValue: row["department"]) else { return nil }
            let days = (row["days"] as String?).map { Set($0.split(separator: ",").compactMap { Int($0) }) }
            return Shift(staffID: row["staff_id"], department: department, start: row["start_minute"],
                         end: row["end_minute"], days: days)
        }
        let zone = try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM setting WHERE key = 'roster.timezone'"))
            .flatMap(TimeZone.init(identifier:)) ?? .gmt
        return Roster(timeZone: zone, staff: staff, shifts: shifts)
    }

    /// Column values in `INSERT` order, `ref` first.
    static func values(_ ticket: Ticket) -> [(any DatabaseValueConvertible)?] {
        [
            ticket.ref, ticket.status.rawValue, ticket.intent.rawValue, ticket.category.rawValue,
            ticket.department.rawValue, ticket.severity.rawValue, ticket.location?.building, ticket.location?.unit,
            ticket.location?.room, ticket.resident, ticket.channel, ticket.locale.rawValue, ticket.text,
            ticket.firstResponder, ticket.handler, ticket.rulesVersion, ticket.createdAt.timeIntervalSince1970,
            ticket.firstResponseAt?.timeIntervalSince1970, ticket.promisedReplyAt?.timeIntervalSince1970,
            ticket.resolvedAt?.timeIntervalSince1970, ticket.closedAt?.timeIntervalSince1970, ticket.satisfaction,
        ]
    }

    static func ticket(_ row: Row) -> Ticket {
        func date(_ column: String) -> Date? { (row[column] as Double?).map(Date.init(timeIntervalSince1970:)) }
        let building: String? = row["location_building"]
        let unit: String? = row["location_unit"]
        let room: String? = row["location_room"]
        let location = building == nil && unit == nil && room == nil
            ? nil : Location(building: building, unit: unit, room: room)
        return Ticket(
            ref: row["ref"], status: Ticket.Status(rawValue: row["status"]) ?? .open,
            intent: Intent(rawValue: row["intent"]) ?? .inquiry, category: Category(rawValue: row["category"]) ?? .general,
            department: Department(rawValue: row["department"]) ?? .service,
            severity: Severity(rawValue: row["severity"]) ?? .general, location: location, resident: row["resident"],
            channel: row["channel"], locale: ReplyLocale(rawValue: row["locale"]) ?? .zhHans, text: row["text"],
            firstResponder: row["first_responder"], handler: row["handler"], rulesVersion: row["rules_version"],
            createdAt: Date(timeIntervalSince1970: row["created_at"]), firstResponseAt: date("first_response_at"),
            promisedReplyAt: date("promised_reply_at"), resolvedAt: date("resolved_at"), closedAt: date("closed_at"),
            satisfaction: row["satisfaction"])
    }
}
