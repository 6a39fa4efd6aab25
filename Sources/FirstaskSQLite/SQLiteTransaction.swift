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

    func ticket(register: String) throws -> Ticket? {
        try Row.fetchOne(db.cachedStatement(sql: """
            SELECT * FROM ticket WHERE source = 'written' AND json_extract(details, '$.register') = ?
            """), arguments: [register]).map(Self.ticket)
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
                rules_version, created_at, first_response_at, promised_reply_at, resolved_at, closed_at, satisfaction,
                source, next_check_at, details, location_place)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: StatementArguments(Self.values(ticket)))
    }

    func updateTicket(_ ticket: Ticket) throws {
        var values = Self.values(ticket)
        values.append(values.removeFirst())  // ref goes last, for the WHERE clause
        try db.cachedStatement(sql: """
            UPDATE ticket SET status = ?, intent = ?, category = ?, department = ?, severity = ?,
                location_building = ?, location_unit = ?, location_room = ?, resident = ?, channel = ?, locale = ?,
                text = ?, first_responder = ?, handler = ?, rules_version = ?, created_at = ?, first_response_at = ?,
                promised_reply_at = ?, resolved_at = ?, closed_at = ?, satisfaction = ?, source = ?, next_check_at = ?,
                details = ?, location_place = ?
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
            ticket.source.rawValue, ticket.nextCheckAt?.timeIntervalSince1970, TicketDetails(ticket).json,
            ticket.location?.place,
        ]
    }

    static func ticket(_ row: Row) -> Ticket {
        func date(_ column: String) -> Date? { (row[column] as Double?).map(Date.init(timeIntervalSince1970:)) }
        let building: String? = row["location_building"]
        let unit: String? = row["location_unit"]
        let room: String? = row["location_room"]
        let place: String? = row["location_place"]
        let location = building == nil && unit == nil && room == nil && place == nil
            ? nil : Location(building: building, unit: unit, room: room, place: place)
        var ticket = Ticket(
            ref: row["ref"],
            lifecycle: TicketLifecycle(status: Ticket.Status(rawValue: row["status"]) ?? .open, awaiting: nil, closeReason: nil),
            intent: Intent(rawValue: row["intent"]) ?? .inquiry, category: Category(rawValue: row["category"]) ?? .general,
            department: Department(rawValue: row["department"]) ?? .service,
            severity: Severity(rawValue: row["severity"]) ?? .general, location: location, resident: row["resident"],
            channel: row["channel"], locale: ReplyLocale(rawValue: row["locale"]) ?? .zhHans, text: row["text"],
            firstResponder: row["first_responder"], handler: row["handler"], rulesVersion: row["rules_version"],
            createdAt: Date(timeIntervalSince1970: row["created_at"]), firstResponseAt: date("first_response_at"),
            promisedReplyAt: date("promised_reply_at"), resolvedAt: date("resolved_at"), closedAt: date("closed_at"),
            satisfaction: row["satisfaction"])
        ticket.source = Ticket.Source(rawValue: row["source"]) ?? .text
        ticket.nextCheckAt = date("next_check_at")
        TicketDetails(json: row["details"])?.apply(to: &ticket)
        return ticket
    }

    // MARK: Timers, duty log, pending choices

    func ticketsDue(at now: Date, limit: Int) throws -> [Ticket] {
        try Row.fetchAll(db.cachedStatement(sql: """
            SELECT * FROM ticket WHERE next_check_at IS NOT NULL AND next_check_at <= ? AND status <> 'closed'
            ORDER BY next_check_at, ref LIMIT ?
            """), arguments: [now.timeIntervalSince1970, limit]).map(Self.ticket)
    }

    func openTickets(category: Category, location: Location, since: Date) throws -> [Ticket] {
        try Row.fetchAll(db.cachedStatement(sql: """
            SELECT * FROM ticket WHERE category = ? AND location_building IS ? AND location_unit IS ?
                AND location_room IS ? AND location_place IS ? AND status <> 'closed' AND created_at >= ?
            ORDER BY created_at, ref
            """), arguments: [category.rawValue, location.building, location.unit, location.room, location.place,
                              since.timeIntervalSince1970]).map(Self.ticket)
    }

    func openTickets(staff staffID: String) throws -> [Ticket] {
        try Row.fetchAll(db.cachedStatement(sql: """
            SELECT * FROM ticket WHERE (handler = ? OR first_responder = ?) AND status <> 'closed'
            ORDER BY created_at, ref
            """), arguments: [staffID, staffID]).map(Self.ticket)
    }

    func events(ref: String) throws -> [TicketEvent] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM ticket_event WHERE ticket_ref = ? ORDER BY id"),
                         arguments: [ref]).map(Self.event)
    }

    func appendDutyLog(_ entry: DutyLogEntry) throws {
        try db.cachedStatement(sql: """
            INSERT INTO duty_log (at, staff_id, kind, place, text, abnormal, ticket_ref) VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [entry.at.timeIntervalSince1970, entry.staffID, entry.kind.rawValue, entry.place,
                                     entry.text, entry.abnormal, entry.ticketRef])
    }

    func dutyLog(since: Date) throws -> [DutyLogEntry] {
        try Self.dutyLog(db, from: since, to: .distantFuture)
    }

    static func dutyLog(_ db: Database, from: Date, to: Date) throws -> [DutyLogEntry] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM duty_log WHERE at >= ? AND at < ? ORDER BY at, id"),
                         arguments: [from.timeIntervalSince1970, to.timeIntervalSince1970]).compactMap { row in
            guard let kind = DutyLogEntry.Kind(rawValue: row["kind"]) else { return nil }
            return DutyLogEntry(at: Date(timeIntervalSince1970: row["at"]), staffID: row["staff_id"], kind: kind,
                                place: row["place"], text: row["text"], abnormal: row["abnormal"],
                                ticketRef: row["ticket_ref"])
        }
    }

    func pendingChoice(resident: String) throws -> PendingChoice? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM pending_choice WHERE resident = ?"),
                         arguments: [resident]).map { row in
            PendingChoice(text: row["text"], channel: row["channel"], at: Date(timeIntervalSince1970: row["at"]),
                          refs: (row["refs"] as String).split(separator: ",").map(String.init))
        }
    }

    func setPendingChoice(_ choice: PendingChoice?, resident: String) throws {
        guard let choice else {
            try db.cachedStatement(sql: "DELETE FROM pending_choice WHERE resident = ?").execute(arguments: [resident])
            return
        }
        try db.cachedStatement(sql: """
            INSERT INTO pending_choice (resident, text, channel, at, refs) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (resident) DO UPDATE SET text = excluded.text, channel = excluded.channel, at = excluded.at,
                refs = excluded.refs
            """).execute(arguments: [resident, choice.text, choice.channel, choice.at.timeIntervalSince1970,
                                     choice.refs.joined(separator: ",")])
    }

    func appendCorrection(_ correction: LabelCorrection) throws {
        let reading = correction.reading
        try db.cachedStatement(sql: """
            INSERT INTO label_correction (ticket_ref, at, staff_id, kind, text, original_intent, original_category,
                original_department, original_severity, fired_rules, rules_version, category, department, severity)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                correction.ticketRef, correction.at.timeIntervalSince1970, correction.by, correction.kind.rawValue,
                reading.text, reading.intent.rawValue, reading.category.rawValue, reading.department.rawValue,
                reading.severity.rawValue, reading.rules.joined(separator: ","), reading.rulesVersion,
                correction.category?.rawValue, correction.department?.rawValue, correction.severity?.rawValue,
            ])
    }

    static func correction(_ row: Row) -> LabelCorrection {
        let rules: String = row["fired_rules"]
        let reading = ClassifierReading(
            text: row["text"], intent: Intent(rawValue: row["original_intent"]) ?? .inquiry,
            category: Category(rawValue: row["original_category"]) ?? .general,
            department: Department(rawValue: row["original_department"]) ?? .service,
            severity: Severity(rawValue: row["original_severity"]) ?? .general,
            rules: rules.split(separator: ",").map(String.init), rulesVersion: row["rules_version"])
        return LabelCorrection(
            ticketRef: row["ticket_ref"], at: Date(timeIntervalSince1970: row["at"]), by: row["staff_id"],
            kind: LabelCorrection.Kind(rawValue: row["kind"]) ?? .category, reading: reading,
            category: (row["category"] as String?).flatMap(Category.init(rawValue:)),
            department: (row["department"] as String?).flatMap(Department.init(rawValue:)),
            severity: (row["severity"] as String?).flatMap(Severity.init(rawValue:)))
    }

    static func event(_ row: Row) -> TicketEvent {
        TicketEvent(ticketRef: row["ticket_ref"], at: Date(timeIntervalSince1970: row["at"]), actor: row["actor"],
                    kind: TicketEvent.Kind(rawValue: row["kind"]) ?? .note, text: row["text"], channel: row["channel"])
    }
}

/// The ticket fields kept in the `details` JSON column: the ones no query filters on.
struct TicketDetails: Codable {
    var flags: [Ticket.Flag]
    var awaiting: Ticket.Question?
    var departments: [Department]
    var transferCount: Int
    var reopenCount: Int
    var repeatCount: Int
    var coReporters: [Ticket.Reporter]
    var helpers: [String]
    var conductSubject: String?
    var firstResponseDueAt: Double?
    var resolutionDueAt: Double?
    var lastReplyAt: Double?
    var promiseMadeAt: Double?
    var escalations: [String: Int]
    var register: String?
    var writtenReplyAt: Double?
    var opinion: String?
    var closeReason: Ticket.CloseReason?
    var reading: ClassifierReading?

    init(_ ticket: Ticket) {
        flags = ticket.flags.sorted()
        awaiting = ticket.awaiting
        departments = ticket.departments
        transferCount = ticket.transferCount
        reopenCount = ticket.reopenCount
        repeatCount = ticket.repeatCount
        coReporters = ticket.coReporters
        helpers = ticket.helpers
        conductSubject = ticket.conductSubject
        firstResponseDueAt = ticket.firstResponseDueAt?.timeIntervalSince1970
        resolutionDueAt = ticket.resolutionDueAt?.timeIntervalSince1970
        lastReplyAt = ticket.lastReplyAt?.timeIntervalSince1970
        promiseMadeAt = ticket.promiseMadeAt?.timeIntervalSince1970
        escalations = Dictionary(uniqueKeysWithValues: ticket.escalations.map { ($0.key.rawValue, $0.value) })
        register = ticket.register
        writtenReplyAt = ticket.writtenReplyAt?.timeIntervalSince1970
        opinion = ticket.opinion
        closeReason = ticket.closeReason
        reading = ticket.reading
    }

    init?(json: String) {
        guard let data = json.data(using: .utf8), data.count > 2,
              let value = try? JSONDecoder().decode(TicketDetails.self, from: data) else { return nil }
        self = value
    }

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(self)).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
    }

    func apply(to ticket: inout Ticket) {
        func date(_ value: Double?) -> Date? { value.map(Date.init(timeIntervalSince1970:)) }
        ticket.flags = Set(flags)
        // The lifecycle is stored as its columns: the status column and these two fields.
        ticket.lifecycle = TicketLifecycle(status: ticket.status, awaiting: awaiting, closeReason: closeReason)
        if !departments.isEmpty { ticket.departments = departments }
        ticket.transferCount = transferCount
        ticket.reopenCount = reopenCount
        ticket.repeatCount = repeatCount
        ticket.coReporters = coReporters
        ticket.helpers = helpers
        ticket.conductSubject = conductSubject
        ticket.firstResponseDueAt = date(firstResponseDueAt)
        ticket.resolutionDueAt = date(resolutionDueAt)
        ticket.lastReplyAt = date(lastReplyAt)
        ticket.promiseMadeAt = date(promiseMadeAt)
        ticket.escalations = Dictionary(uniqueKeysWithValues: escalations.compactMap { key, value in
            Deadline(rawValue: key).map { ($0, value) }
        })
        ticket.register = register
        ticket.writtenReplyAt = date(writtenReplyAt)
        ticket.opinion = opinion
        ticket.reading = reading
    }
}
