import FirstaskClassifier
import Foundation

/// The first-ask desk: turns stored inbound messages into ticket changes and outbox rows.
///
/// Everything it does for one batch happens inside one store transaction, so a ticket change and the
/// texts it causes are kept together or not at all. It reads the time only from its argument and makes
/// ids only with `newID`, so tests drive it deterministically.
public struct Desk: Sendable {
    public var classifier: Classifier
    public var templates: Templates
    public var commands: CommandWords
    public var policy: DeskPolicy

    public init(classifier: Classifier, templates: Templates, commands: CommandWords, policy: DeskPolicy = DeskPolicy()) {
        self.classifier = classifier
        self.templates = templates
        self.commands = commands
        self.policy = policy
    }

    /// Outbox ids for this process.
    public static let ids = OutboxIDGenerator()

    /// What one call to `process` did.
    public struct BatchResult: Sendable, Equatable {
        public var handled = 0
        public var ticketsOpened = 0
        public var enqueued = 0
        public init() {}
    }

    /// Handles up to `limit` pending inbound messages, oldest first.
    ///
    /// `labels` may hold classifications made beforehand, by inbound message id, so the classifier's work
    /// runs before the transaction rather than inside it; messages without one are classified here.
    public func process(
        _ tx: any StoreTransaction, now: Date, limit: Int, labels: [Int64: Classification] = [:],
        newID: @escaping () -> String = { Desk.ids.next() }
    ) throws -> BatchResult {
        let pending = try tx.pendingInbound(limit: limit)
        guard !pending.isEmpty else { return BatchResult() }
        let roster = try tx.roster()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = roster.timeZone
        var turn = Turn(desk: self, tx: tx, now: now, roster: roster, calendar: calendar, labels: labels, newID: newID)
        for message in pending {
            try turn.handle(message)
        }
        // `pending` is the oldest unhandled messages, so "through the last one" is exactly this batch.
        if let last = pending.last?.id { try tx.markProcessed(through: last) }
        turn.result.handled = pending.count
        return turn.result
    }
}

/// The work of one batch: the shared roster read once, and the running result.
private struct Turn {
    let desk: Desk
    let tx: any StoreTransaction
    let now: Date
    let roster: Roster
    /// In the roster's time zone; made once per batch because making one is costly.
    let calendar: Calendar
    let labels: [Int64: Classification]
    let newID: () -> String
    var result = Desk.BatchResult()
    /// Who is on duty per department at `now`, looked up once per batch.
    var onDuty: [Department: [Staff]] = [:]

    var templates: Templates { desk.templates }

    mutating func handle(_ message: InboundMessage) throws {
        if let staff = roster.member(address: message.from) {
            try handleStaff(message, from: staff)
        } else {
            try handleResident(message)
        }
    }

    // MARK: Residents

    mutating func handleResident(_ message: InboundMessage) throws {
        let mentioned = CommandWords.mentionedRefs(in: message.text)
        if let ref = mentioned.first {
            if let ticket = try tx.openTickets(resident: message.from).first(where: { $0.ref == ref }) {
                try addFollowUp(message, to: ticket)
            } else {
                // Unknown or someone else's ticket: say so without revealing whether it exists.
                let locale = ReplyLocale.detect(message.text)
                try send(templates.render("resident.unknown_ticket", locale, ["ref": ref]), to: message.from,
                         channel: message.channel, ticket: nil)
            }
            return
        }
        try openTicket(for: message)
    }

    mutating func openTicket(for message: InboundMessage) throws {
        let labels = message.id.flatMap { self.labels[$0] } ?? desk.classifier.classify(message.text)
        let locale = ReplyLocale.detect(message.text)
        let ref = Ticket.ref(number: try tx.nextTicketNumber())
        let firstResponder = try assign(.service)
        let handler = try assign(labels.department)
        let promised = desk.policy.replyDeadline(for: labels.severity, openedAt: now)
        let ticket = Ticket(
            ref: ref, intent: labels.intent, category: labels.category, department: labels.department,
            severity: labels.severity, location: labels.location, resident: message.from, channel: message.channel,
            locale: locale, text: message.text, firstResponder: firstResponder?.id ?? "unassigned",
            handler: handler?.id ?? "unassigned", rulesVersion: desk.classifier.rules.version, createdAt: now,
            promisedReplyAt: promised)
        try tx.insertTicket(ticket)
        result.ticketsOpened += 1
        try event(ref, actor: "resident", .opened, message.text, channel: message.channel)
        try event(ref, actor: "system", .assigned,
                  "first_responder=\(ticket.firstResponder) handler=\(ticket.handler) rules=\(ticket.rulesVersion) "
                      + "labels=\(labels.intent.rawValue)/\(labels.category.rawValue)/\(labels.severity.rawValue) "
                      + "fired=\(labels.rules.joined(separator: ","))")

        let promisedParts = calendar.dateComponents([.month, .day, .hour, .minute], from: promised)
        var values = self.values(for: ticket, locale: locale)
        values["reply_by"] = time(promisedParts, locale)
        let ackKey = labels.severity == .emergency ? "resident.ack_emergency" : "resident.ack"
        try send(templates.render(ackKey, locale, values), to: message.from, channel: message.channel, ticket: ref)

        for (staff, key) in [(firstResponder, "staff.new_ticket_first_responder"), (handler, "staff.new_ticket_handler")] {
            guard let staff else { continue }
            if key == "staff.new_ticket_handler", staff.id == firstResponder?.id { continue }
            var staffValues = self.values(for: ticket, locale: staff.locale)
            staffValues["reply_by"] = time(promisedParts, staff.locale)
            try send(templates.render(key, staff.locale, staffValues), to: staff.address,
                     channel: staff.channel ?? message.channel, ticket: ref)
        }
        if firstResponder == nil || handler == nil, let head = roster.head(of: labels.department) ?? roster.leaders.first {
            let headValues = self.values(for: ticket, locale: head.locale)
            try send(templates.render("staff.nobody_on_duty", head.locale, headValues), to: head.address,
                     channel: head.channel ?? message.channel, ticket: ref)
        }
    }

    mutating func addFollowUp(_ message: InboundMessage, to ticket: Ticket) throws {
        try event(ticket.ref, actor: "resident", .residentMessage, message.text, channel: message.channel)
        try send(templates.render("resident.followup", ticket.locale, values(for: ticket, locale: ticket.locale)),
                 to: message.from, channel: message.channel, ticket: ticket.ref)
        try notifyStaff(of: ticket, except: nil, actorName: nil) { _ in message.text }
    }

    // MARK: Staff

    mutating func handleStaff(_ message: InboundMessage, from staff: Staff) throws {
        guard let command = desk.commands.parse(message.text) else {
            try send(templates.render("staff.help", staff.locale), to: staff.address, channel: message.channel, ticket: nil)
            return
        }
        guard var ticket = try tx.ticket(ref: command.ref) else {
            try send(templates.render("staff.no_such_ticket", staff.locale, ["ref": command.ref]),
                     to: staff.address, channel: message.channel, ticket: nil)
            return
        }
        guard mayWork(ticket, staff) else {
            try event(ticket.ref, actor: staff.id, .note, "refused \(command.verb.rawValue): not on this ticket",
                      channel: message.channel)
            try send(templates.render("staff.not_allowed", staff.locale, ["ref": ticket.ref]),
                     to: staff.address, channel: message.channel, ticket: ticket.ref)
            return
        }
        var residentValues = values(for: ticket, locale: ticket.locale)
        residentValues["staff"] = staff.name
        residentValues["text"] = command.text
        let staffValues = values(for: ticket, locale: staff.locale)
        if command.verb == .reply, command.text.isEmpty {
            try send(templates.render("staff.help", staff.locale), to: staff.address, channel: message.channel,
                     ticket: ticket.ref)
            return
        }
        // Any step by staff is a first response; accepting or replying moves an open ticket on.
        ticket.firstResponseAt = ticket.firstResponseAt ?? now
        let (kind, residentKey, confirmKey): (TicketEvent.Kind, String, String)
        switch command.verb {
        case .accept:
            if ticket.status == .open { ticket.status = .accepted }
            (kind, residentKey, confirmKey) = (.accepted, "resident.accepted", "staff.confirm_accept")
        case .reply:
            if ticket.status == .open { ticket.status = .accepted }
            (kind, residentKey, confirmKey) = (.staffReply, "resident.staff_reply", "staff.confirm_reply")
        case .done:
            ticket.status = .resolved
            ticket.resolvedAt = now
            (kind, residentKey, confirmKey) = (.resolved, "resident.resolved", "staff.confirm_done")
        }
        try tx.updateTicket(ticket)
        try event(ticket.ref, actor: staff.id, kind, command.text, channel: message.channel)
        try send(templates.render(residentKey, ticket.locale, residentValues), to: ticket.resident,
                 channel: ticket.channel, ticket: ticket.ref)
        try send(templates.render(confirmKey, staff.locale, staffValues), to: staff.address,
                 channel: message.channel, ticket: ticket.ref)
        // The first responder stays accountable, so hears of every step someone else takes.
        let templates = self.templates
        try notifyStaff(of: ticket, except: staff.id, actorName: staff.name, onlyFirstResponder: true) { locale in
            let action = templates.render("action.\(command.verb.rawValue)", locale)
            return command.text.isEmpty ? action : "\(action): \(command.text)"
        }
    }

    func mayWork(_ ticket: Ticket, _ staff: Staff) -> Bool {
        staff.id == ticket.handler || staff.id == ticket.firstResponder || staff.role == .leader
            || (staff.role == .head && staff.department == ticket.department)
    }

    // MARK: Helpers

    /// Picks the on-duty staff member of `department` with the fewest open tickets; the head if nobody is on.
    mutating func assign(_ department: Department) throws -> Staff? {
        let onDuty = self.onDuty[department] ?? roster.onDuty(department, at: now)
        self.onDuty[department] = onDuty
        if onDuty.count <= 1 { return onDuty.first ?? roster.head(of: department) }
        var best: (staff: Staff, load: Int)?
        for staff in onDuty {
            let load = try tx.openTicketCount(handler: staff.id)
            if best == nil || load < best!.load { best = (staff, load) }
        }
        return best?.staff
    }

    /// Tells the first responder (and, unless `onlyFirstResponder`, the handler) what happened, in their language.
    mutating func notifyStaff(
        of ticket: Ticket, except: String?, actorName: String?, onlyFirstResponder: Bool = false,
        text: (ReplyLocale) -> String
    ) throws {
        var ids = [ticket.firstResponder]
        if !onlyFirstResponder { ids.append(ticket.handler) }
        var seen = Set<String>()
        for id in ids where id != except && seen.insert(id).inserted {
            guard let staff = roster.member(id: id) else { continue }
            var values = self.values(for: ticket, locale: staff.locale)
            values["text"] = text(staff.locale)
            values["staff"] = actorName ?? templates.render("resident.label", staff.locale)
            try send(templates.render("staff.progress", staff.locale, values), to: staff.address,
                     channel: staff.channel ?? ticket.channel, ticket: ticket.ref)
        }
    }

    func values(for ticket: Ticket, locale: ReplyLocale) -> [String: String] {
        [
            "ref": ticket.ref,
            "first_responder": roster.member(id: ticket.firstResponder)?.name ?? ticket.firstResponder,
            "handler": roster.member(id: ticket.handler)?.name ?? ticket.handler,
            "department": templates.render("department.\(ticket.department.rawValue)", locale),
            "category": templates.render("category.\(ticket.category.rawValue)", locale),
            "severity": templates.render("severity.\(ticket.severity.rawValue)", locale),
            "location": ticket.location?.display ?? "-",
            "resident_text": ticket.text,
            "resident": ticket.resident,
        ]
    }

    /// A local time of day and date as residents read it (`12月1日 14:00`, `1/12 14:00`).
    func time(_ parts: DateComponents, _ locale: ReplyLocale) -> String {
        func two(_ value: Int?) -> String { value.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return templates.render("time.format", locale, [
            "month": String(parts.month ?? 1), "day": String(parts.day ?? 1),
            "hour": two(parts.hour), "minute": two(parts.minute),
        ])
    }

    mutating func event(_ ref: String, actor: String, _ kind: TicketEvent.Kind, _ text: String, channel: String? = nil) throws {
        try tx.appendEvent(TicketEvent(ticketRef: ref, at: now, actor: actor, kind: kind, text: text, channel: channel))
    }

    mutating func send(_ text: String, to address: String, channel: String, ticket: String?) throws {
        try tx.enqueue(OutboundMessage(id: newID(), channel: channel, to: address, text: text, ticketRef: ticket,
                                       nextAttemptAt: now, createdAt: now))
        result.enqueued += 1
    }
}
