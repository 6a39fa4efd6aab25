import FirstaskClassifier
import Foundation

/// The first-ask desk: turns stored inbound messages into ticket changes and outbox rows, and runs the
/// clocks (deadlines, escalation, confirmation windows, shift check-ins).
///
/// Everything it does for one batch happens inside one store transaction, so a ticket change and the
/// texts it causes are kept together or not at all. It reads the time only from its arguments and makes
/// ids only with `newID`, so tests drive it deterministically with a fake clock.
///
/// The work is split by who it is for: `DeskTurn+Resident.swift` (residents' messages),
/// `DeskTurn+Staff.swift` (staff commands), `DeskTurn+Timer.swift` (deadlines and shifts),
/// `DeskTurn+Written.swift` (written complaints).
public struct Desk: Sendable {
    public var classifier: Classifier
    public var templates: Templates
    public var commands: CommandWords
    public var policy: DeskPolicy
    /// The channel staff are texted on when the roster names none of their own and they are not answering
    /// on one: the first configured channel that texts phone numbers (staff are known by phone number).
    /// Staff texts never follow the resident's channel, which may address chats, not phones.
    public var defaultChannel: String?

    public init(
        classifier: Classifier, templates: Templates, commands: CommandWords, policy: DeskPolicy = DeskPolicy(),
        defaultChannel: String? = nil
    ) {
        self.classifier = classifier
        self.templates = templates
        self.commands = commands
        self.policy = policy
        self.defaultChannel = defaultChannel
    }

    /// Outbox ids for this process.
    public static let ids = OutboxIDGenerator()

    /// What one call to `process` or `tick` did.
    public struct BatchResult: Sendable, Equatable {
        public var handled = 0
        public var ticketsOpened = 0
        public var enqueued = 0
        /// Escalation steps taken and tickets closed by the timer.
        public var escalations = 0
        public var closedUnconfirmed = 0
        /// Tickets opened, by their labels (the metrics count them so).
        public var openedByLabels: [OpenedLabels: Int] = [:]
        /// Deadlines found missed for the first time (each ticket's deadline counts once, at its first step).
        public var deadlinesMissed: [Deadline: Int] = [:]
        /// Escalation steps taken, by level (1 reminds the handler, 2 tells the head, 3 leadership).
        public var escalationsByLevel: [Int: Int] = [:]
        public init() {}
    }

    /// The labels a new ticket is counted by.
    public struct OpenedLabels: Hashable, Sendable {
        public var category: Category
        public var severity: Severity
        public init(category: Category, severity: Severity) {
            self.category = category
            self.severity = severity
        }
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
        var turn = try DeskTurn(desk: self, tx: tx, now: now, labels: labels, newID: newID)
        for message in pending {
            try turn.handle(message)
        }
        // `pending` is the oldest unhandled messages, so "through the last one" is exactly this batch.
        if let last = pending.last?.id { try tx.markProcessed(through: last) }
        turn.result.handled = pending.count
        return turn.result
    }

    /// Runs the clocks at `now`: reminders and escalations for missed deadlines, unconfirmed tickets
    /// closed, missed shift check-ins alerted. Call it every minute or so; calling it more often is harmless.
    public func tick(_ tx: any StoreTransaction, now: Date, newID: @escaping () -> String = { Desk.ids.next() })
        throws -> BatchResult
    {
        var turn = try DeskTurn(desk: self, tx: tx, now: now, labels: [:], newID: newID)
        try turn.runClocks()
        return turn.result
    }

    /// Registers a written complaint (书面投诉) under its register number; it goes to leadership and needs a
    /// written reply recorded before it can be closed. Throws `DeskError.duplicateRegister` for a number
    /// already registered.
    public func registerWritten(
        _ complaint: WrittenComplaint, _ tx: any StoreTransaction, now: Date,
        newID: @escaping () -> String = { Desk.ids.next() }
    ) throws -> Ticket {
        var turn = try DeskTurn(desk: self, tx: tx, now: now, labels: [:], newID: newID)
        return try turn.registerWritten(complaint)
    }

    /// Runs one ticket command from the web console as `actor` (a console account in staff form), with the
    /// same rules and effects as the command sent by text. What the desk would have texted `actor` (the
    /// confirmation, a usage hint, a refusal) is returned instead of sent; everything else (the timeline, the
    /// resident's and the owners' texts) is written as for a text.
    public func consoleCommand(
        _ command: StaffCommand, ref: String, as actor: Staff, _ tx: any StoreTransaction, now: Date,
        newID: @escaping () -> String = { Desk.ids.next() }
    ) throws -> [String] {
        var turn = try DeskTurn(desk: self, tx: tx, now: now, labels: [:], newID: newID)
        turn.consoleActor = actor.id
        let message = InboundMessage(channel: "console", providerID: newID(), from: actor.address, text: command.text,
                                     receivedAt: now)
        try turn.runTicketCommand(command, ref: ref, message, from: actor)
        return turn.consoleReplies
    }

    /// Records the written reply to a written complaint, by `staffID` (a staff id or `admin`).
    public func recordWrittenReply(
        ref: String, text: String, by staffID: String, _ tx: any StoreTransaction, now: Date,
        newID: @escaping () -> String = { Desk.ids.next() }
    ) throws -> Ticket {
        var turn = try DeskTurn(desk: self, tx: tx, now: now, labels: [:], newID: newID)
        return try turn.recordWrittenReply(ref: ref, text: text, by: staffID)
    }
}

/// Why the desk refused an admin action.
public enum DeskError: Error, Equatable, CustomStringConvertible {
    case noSuchTicket(String)
    case notWritten(String)
    case duplicateRegister(String)
    case invalid(String)

    public var description: String {
        switch self {
        case let .noSuchTicket(ref): "no ticket \(ref)"
        case let .notWritten(ref): "ticket \(ref) is not a written complaint"
        case let .duplicateRegister(number): "register number \(number) is already registered"
        case let .invalid(problem): problem
        }
    }
}

/// The work of one batch: the roster read once, caches, and the running result. Its extensions hold the
/// flows; this file holds what they share (assignment, notifications, texts, timeline events, and
/// `transition`, the one place a ticket's state changes: the flows decide and render, `TicketLifecycle` moves).
struct DeskTurn {
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
    private var onDuty: [Department: [Staff]] = [:]
    /// Staff ids that checked in within the last day and have not checked out since (when check-in is required).
    private var checkedIn: Set<String>?
    /// The resident whose message is being handled: answers to them go out at once, even in quiet hours.
    var answering: String?
    /// The console account (staff id) working a ticket from the web console: what would be texted to it is
    /// kept in `consoleReplies` instead.
    var consoleActor: String?
    var consoleReplies: [String] = []

    init(desk: Desk, tx: any StoreTransaction, now: Date, labels: [Int64: Classification], newID: @escaping () -> String) throws {
        self.desk = desk
        self.tx = tx
        self.now = now
        self.labels = labels
        self.newID = newID
        roster = try tx.roster()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = roster.timeZone
        self.calendar = calendar
    }

    var templates: Templates { desk.templates }
    var policy: DeskPolicy { desk.policy }
    var words: CommandWords { desk.commands }

    mutating func handle(_ message: InboundMessage) throws {
        if let staff = roster.member(address: message.from) {
            try handleStaff(message, from: staff)
        } else {
            answering = message.from
            defer { answering = nil }
            try handleResident(message)
        }
    }

    // MARK: Assignment

    /// Picks the present on-duty staff member of `department` with the fewest open tickets, skipping
    /// `excluded`; the department head (or leadership) when nobody is, which is logged and alerted by the caller.
    mutating func assign(_ department: Department, excluding excluded: Set<String> = []) throws -> Staff? {
        let candidates = try present(department).filter { !excluded.contains($0.id) }
        if candidates.count == 1 { return candidates[0] }
        var best: (staff: Staff, load: Int)?
        for staff in candidates {
            let load = try tx.openTicketCount(handler: staff.id)
            if best == nil || load < best!.load { best = (staff, load) }
        }
        return best?.staff
    }

    /// The fallback when nobody in `department` is present: its head, else a leader, never someone excluded.
    func backup(_ department: Department, excluding excluded: Set<String> = []) -> Staff? {
        [roster.head(of: department)].compactMap { $0 }.first { !excluded.contains($0.id) }
            ?? roster.leaders.first { !excluded.contains($0.id) }
    }

    /// On-duty staff of `department` who count as present: all of them, or with check-in required, those
    /// who checked in, plus those whose shift began less than the grace period ago.
    mutating func present(_ department: Department) throws -> [Staff] {
        let staff = onDuty[department] ?? roster.onDuty(department, at: now)
        onDuty[department] = staff
        guard policy.checkInRequired else { return staff }
        let checkedIn = try checkedInStaff()
        let recentStarts = Set(roster.shiftStarts(from: now.addingTimeInterval(-policy.checkInGrace), to: now.addingTimeInterval(1))
            .map(\.shift.staffID))
        return staff.filter { checkedIn.contains($0.id) || recentStarts.contains($0.id) }
    }

    mutating func checkedInStaff() throws -> Set<String> {
        if let checkedIn { return checkedIn }
        var set = Set<String>()
        for entry in try tx.dutyLog(since: now.addingTimeInterval(-86_400)) {
            switch entry.kind {
            case .checkIn: set.insert(entry.staffID)
            case .checkOut: set.remove(entry.staffID)
            default: break
            }
        }
        checkedIn = set
        return set
    }

    // MARK: Texts

    /// Every placeholder a ticket template may use, in `locale`.
    func values(for ticket: Ticket, locale: ReplyLocale) -> [String: String] {
        [
            "ref": ticket.ref,
            "first_responder": name(ticket.firstResponder),
            "handler": name(ticket.handler),
            "department": templates.render("department.\(ticket.department.rawValue)", locale),
            // The handler's own department: a conduct complaint is the ticket of management (or the service
            // centre) but handled by the head of the department of the person it is about.
            "handler_department": templates.render(
                "department.\((roster.member(id: ticket.handler)?.department ?? ticket.department).rawValue)", locale),
            "category": templates.render("category.\(ticket.category.rawValue)", locale),
            "severity": templates.render("severity.\(ticket.severity.rawValue)", locale),
            "status": templates.render("status.\(ticket.status.rawValue)", locale),
            "location": ticket.location?.display ?? "-",
            "resident_text": ticket.text,
            "reply_by": ticket.promisedReplyAt.map { time($0, locale) } ?? "-",
            "register": ticket.register ?? "",
        ]
    }

    func name(_ staffID: String) -> String { roster.member(id: staffID)?.name ?? staffID }

    /// A local date and time as people read it, with the month unmistakable (`12月1日 14:00`, `1 Dec 14:00`):
    /// `1/12` reads as 1 December in one country and 12 January in the next.
    func time(_ date: Date, _ locale: ReplyLocale) -> String {
        let parts = calendar.dateComponents([.month, .day, .hour, .minute], from: date)
        func two(_ value: Int?) -> String { value.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        let month = parts.month ?? 1
        return templates.render("time.format", locale, [
            "month": String(month), "month_name": templates.render("month.\(month)", locale), "day": String(parts.day ?? 1),
            "hour": two(parts.hour), "minute": two(parts.minute),
        ])
    }

    /// Texts the resident of `ticket` (in their language, on their channel; quiet hours unless urgent).
    mutating func tellResident(_ ticket: Ticket, _ key: String, _ extra: [String: String] = [:]) throws {
        guard ticket.source != .patrol, !ticket.resident.isEmpty else { return }
        let values = self.values(for: ticket, locale: ticket.locale).merging(extra) { $1 }
        try send(templates.render(key, ticket.locale, values), to: ticket.resident, channel: ticket.channel,
                 ticket: ticket.ref, resident: true, urgent: ticket.severity == .emergency)
    }

    /// Texts one staff member about `ticket`, in their language: on their own roster channel, else on the
    /// channel of the message they just sent (`via`, when answering them), else on `desk.defaultChannel`.
    /// Never on the ticket's channel: that is how the resident was reached, not how staff are.
    mutating func tell(_ staff: Staff, _ key: String, about ticket: Ticket?, _ extra: [String: String] = [:], via channel: String? = nil) throws {
        var values = ticket.map { self.values(for: $0, locale: staff.locale) } ?? [:]
        values.merge(extra) { $1 }
        if staff.id == consoleActor {
            return consoleReplies.append(templates.render(key, staff.locale, values))
        }
        // No channel at all is a configuration without a phone channel: the row dies naming the empty channel.
        try send(templates.render(key, staff.locale, values), to: staff.address,
                 channel: staff.channel ?? channel ?? desk.defaultChannel ?? "", ticket: ticket?.ref)
    }

    /// Tells the first responder (and, unless `onlyFirstResponder`, the handler) what happened, skipping
    /// `except` (the one who did it) and those in `told` (already texted about it).
    mutating func notifyOwners(
        of ticket: Ticket, except: String?, actor: String?, onlyFirstResponder: Bool = false, told: Set<String> = [],
        text: (ReplyLocale) -> String
    ) throws {
        var ids = [ticket.firstResponder]
        if !onlyFirstResponder { ids.append(ticket.handler) }
        var seen = told
        for id in ids where id != except && seen.insert(id).inserted {
            guard let staff = roster.member(id: id) else { continue }
            try tell(staff, "staff.progress", about: ticket, [
                "text": text(staff.locale),
                "staff": actor ?? templates.render("resident.label", staff.locale),
            ])
        }
    }

    mutating func event(_ ref: String, actor: String, _ kind: TicketEvent.Kind, _ text: String, channel: String? = nil) throws {
        try tx.appendEvent(TicketEvent(ticketRef: ref, at: now, actor: actor, kind: kind, text: text, channel: channel))
    }

    /// Adds a text to the outbox. A non-urgent text to a resident waits out the quiet hours, unless it
    /// answers the message they just sent (quiet hours hold back only what they did not ask for).
    mutating func send(
        _ text: String, to address: String, channel: String, ticket: String?, resident: Bool = false, urgent: Bool = false
    ) throws {
        var due = now
        if resident, !urgent, address != answering, let quiet = policy.quietHours {
            due = quiet.release(now, calendar: calendar)
        }
        try tx.enqueue(OutboundMessage(id: newID(), channel: channel, to: address, text: text, ticketRef: ticket,
                                       nextAttemptAt: due, createdAt: now))
        result.enqueued += 1
    }

    // MARK: Lifecycle

    /// Runs `event` on the ticket's lifecycle and writes what it returns: the ticket's own fields, the ticket
    /// saved, then its timeline entries (by `actor`, with `text`, on `channel`) and the resident's texts (with
    /// `values` besides the ticket's). Throws `TicketLifecycle.IllegalTransition`, writing nothing, when the
    /// ticket's state does not allow the event: a flow that asks for one has a bug.
    mutating func transition(
        _ ticket: inout Ticket, _ event: TicketLifecycle.Event, actor: String, text: String, channel: String?,
        values: [String: String] = [:]
    ) throws {
        var changed = ticket
        let effects = try changed.lifecycle.handle(event)
        let (timeline, texts) = apply(effects, to: &changed)
        ticket = changed
        try save(&ticket)
        for kind in timeline { try self.event(ticket.ref, actor: actor, kind, text, channel: channel) }
        for key in texts { try tellResident(ticket, key, values) }
    }

    /// Applies the effects that change the ticket itself; returns the timeline kinds and resident templates
    /// left for the caller to write, in order.
    func apply(_ effects: [TicketLifecycle.Effect], to ticket: inout Ticket)
        -> (timeline: [TicketEvent.Kind], texts: [String])
    {
        var timeline: [TicketEvent.Kind] = []
        var texts: [String] = []
        for effect in effects {
            switch effect {
            case let .restartClock(deadline): SlaClock.restart(deadline, on: &ticket, policy: policy, now: now)
            case .stampResolved: ticket.resolvedAt = now
            case .clearResolved: ticket.resolvedAt = nil
            case .stampClosed: ticket.closedAt = now
            case let .flag(flag): ticket.flags.insert(flag)
            case .countReopen: ticket.reopenCount += 1
            case let .timeline(kind): timeline.append(kind)
            case let .tellResident(key): texts.append(key)
            }
        }
        return (timeline, texts)
    }

    /// Saves `ticket` with its timer recomputed.
    mutating func save(_ ticket: inout Ticket) throws {
        ticket.nextCheckAt = ticket.status.isOpen ? SlaClock.nextCheck(ticket, policy: policy) : nil
        try tx.updateTicket(ticket)
    }
}
