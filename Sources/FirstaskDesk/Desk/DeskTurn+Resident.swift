import FirstaskClassifier
import Foundation

/// Residents' messages: a new problem, more about an open one, an answer to the desk's question, a
/// status query, a confirmation or "not solved". A resident only ever sees or acts on their own tickets.
extension DeskTurn {
    mutating func handleResident(_ message: InboundMessage) throws {
        let open = try tx.openTickets(resident: message.from)
        // A photo or file without words (the intake rule lets no other empty text through).
        if message.text.isEmpty { return try handlePhotoOnly(message, open: open) }
        let locale = ReplyLocale.detect(message.text)

        if let ref = CommandWords.mentionedRefs(in: message.text).first {
            return try handleMentioned(ref, message, open: open, locale: locale)
        }
        if words.resident.isStatusQuery(message.text) {
            return try sendStatus(open, to: message, locale: locale)
        }
        if var ticket = open.last(where: { $0.awaiting == .confirmation }),
           let answer = words.resident.confirmation(message.text) {
            return try confirm(&ticket, answer, message)
        }
        let labels = message.id.flatMap { self.labels[$0] } ?? desk.classifier.classify(message.text)
        if var ticket = open.last(where: { $0.awaiting == .location }), let location = labels.location,
           labels.category == .general || labels.category == ticket.category {
            return try completeLocation(&ticket, location, message)
        }

        if var ticket = open.last(where: { $0.awaiting == .details }) {
            return try completeDetails(&ticket, message)
        }

        // More about a ticket already open, rather than a new problem?
        if !open.isEmpty {
            let active = open.filter { $0.status != .resolved || $0.awaiting != .confirmation }
            let sameProblem = open.filter { ticket in
                ticket.category == labels.category
                    && (labels.location == nil || ticket.location == nil || ticket.location == labels.location)
            }
            let vague = words.resident.isFollowUp(message.text) || labels.category == .general && labels.intent != .inquiry
            if sameProblem.count == 1 {
                return try addFollowUp(message, to: sameProblem[0], labels: labels)
            }
            if sameProblem.count > 1 || (vague && active.count > 1) {
                return try askWhich(sameProblem.count > 1 ? sameProblem : active, message, locale: locale)
            }
            if vague, let only = active.first {
                return try addFollowUp(message, to: only, labels: labels)
            }
        }

        // The same problem at the same place, already open for another resident: link, count the repeat.
        if let location = labels.location, labels.category != .general,
           var ticket = try tx.openTickets(category: labels.category, location: location,
                                           since: now.addingTimeInterval(-policy.repeatWindow)).first {
            return try linkRepeat(&ticket, message, locale: locale)
        }
        try openTicket(message, labels: labels, locale: locale)
    }

    // MARK: Opening

    mutating func openTicket(_ message: InboundMessage, labels: Classification, locale: ReplyLocale) throws {
        let ticket = try open(
            source: .text, resident: message.from, channel: message.channel, locale: locale, text: message.text,
            labels: labels, firstResponder: nil)
        try acknowledge(ticket, labels: labels)
    }

    /// Opens a ticket: assigns the first responder and handler by the first-ask rules, starts its clocks,
    /// records it, and alerts everyone the severity calls for. The resident is not texted here.
    mutating func open(
        source: Ticket.Source, resident: String, channel: String, locale: ReplyLocale, text: String,
        labels: Classification, firstResponder fixed: Staff?, register: String? = nil
    ) throws -> Ticket {
        let ref = Ticket.ref(number: try tx.nextTicketNumber())
        // A conduct complaint never reaches the person it is about.
        let subject = labels.category == .staffConduct ? roster.membersNamed(in: text).first : nil
        let excluded: Set<String> = subject.map { [$0.id] } ?? []

        var nobodyOnDuty: [Department] = []
        var firstResponder = fixed
        if firstResponder == nil {
            firstResponder = try assign(.service, excluding: excluded)
            // Someone on duty who may not have it (the complaint is about them) is excluded, not absent.
            if firstResponder == nil, try present(.service).isEmpty { nobodyOnDuty.append(.service) }
        }
        var handler: Staff?
        if labels.category == .staffConduct {
            let department = subject?.department ?? .management
            handler = [roster.head(of: department)].compactMap { $0 }.first { !excluded.contains($0.id) && $0.role != .leader }
                ?? roster.head(of: .management).flatMap { excluded.contains($0.id) ? nil : $0 }
                ?? roster.leaders.first { !excluded.contains($0.id) }
        } else {
            handler = try assign(labels.department, excluding: excluded)
            if handler == nil { nobodyOnDuty.append(labels.department) }
        }
        firstResponder = firstResponder ?? backup(.service, excluding: excluded)
        handler = handler ?? backup(labels.department, excluding: excluded)

        var ticket = Ticket(
            ref: ref, intent: labels.intent, category: labels.category, department: labels.department,
            severity: labels.severity, location: labels.location, resident: resident, channel: channel,
            locale: locale, text: text, firstResponder: firstResponder?.id ?? "unassigned",
            handler: handler?.id ?? "unassigned", rulesVersion: desk.classifier.rules.version, createdAt: now)
        ticket.source = source
        ticket.register = register
        ticket.reading = ClassifierReading(text: text, labels: labels, rulesVersion: desk.classifier.rules.version)
        ticket.conductSubject = subject?.id
        if labels.category == .staffConduct { ticket.flags.insert(.conduct) }
        if !nobodyOnDuty.isEmpty { ticket.flags.insert(.nobodyOnDuty) }
        var question: TicketLifecycle.Question?
        if source == .text {
            if Self.unclear(labels, policy: policy) {
                question = .details
            } else if labels.missing.contains("location") {
                question = .location
            }
        }
        // Praise is recorded and passed on; there is nothing to work, so it closes at once.
        let (lifecycle, effects) = TicketLifecycle.opening(asking: question, praise: labels.intent == .praise)
        ticket.lifecycle = lifecycle
        _ = apply(effects, to: &ticket)
        ticket.nextCheckAt = ticket.status.isOpen ? SlaClock.nextCheck(ticket, policy: policy) : nil
        try tx.insertTicket(ticket)
        result.ticketsOpened += 1
        result.openedByLabels[Desk.OpenedLabels(category: ticket.category, severity: ticket.severity), default: 0] += 1

        try event(ref, actor: source == .text ? "resident" : (fixed?.id ?? "admin"), .opened, text, channel: channel)
        try event(ref, actor: "system", .assigned,
                  "first_responder=\(ticket.firstResponder) handler=\(ticket.handler) rules=\(ticket.rulesVersion) "
                      + "labels=\(labels.intent.rawValue)/\(labels.category.rawValue)/\(labels.severity.rawValue) "
                      + "fired=\(labels.rules.joined(separator: ","))")

        try alertOnOpen(ticket, labels: labels, firstResponder: fixed == nil ? firstResponder : nil, handler: handler,
                        nobodyOnDuty: nobodyOnDuty)
        return ticket
    }

    /// Texts staff about a new ticket: the first responder and handler, and by severity the rest of the
    /// duty team, the control room, the security patrol, the department head and leadership.
    mutating func alertOnOpen(
        _ ticket: Ticket, labels: Classification, firstResponder: Staff?, handler: Staff?, nobodyOnDuty: [Department]
    ) throws {
        var told = Set<String>()
        try alertOnOpen(ticket, labels: labels, firstResponder: firstResponder, handler: handler, nobodyOnDuty: nobodyOnDuty,
                        alreadyTold: &told)
    }

    /// As above, skipping staff in `told` and adding everyone texted to it.
    mutating func alertOnOpen(
        _ ticket: Ticket, labels: Classification, firstResponder: Staff?, handler: Staff?, nobodyOnDuty: [Department],
        alreadyTold told: inout Set<String>
    ) throws {
        if let conductSubject = ticket.conductSubject { told.insert(conductSubject) }
        if ticket.intent == .praise {
            for staff in [handler, firstResponder].compactMap({ $0 }) where told.insert(staff.id).inserted {
                try tell(staff, "staff.praise", about: ticket)
            }
            return
        }
        if let firstResponder, told.insert(firstResponder.id).inserted {
            try tell(firstResponder, "staff.new_ticket_first_responder", about: ticket)
        }
        if let handler, told.insert(handler.id).inserted {
            try tell(handler, ticket.flags.contains(.conduct) ? "staff.conduct_complaint" : "staff.new_ticket_handler",
                     about: ticket)
        }
        for department in nobodyOnDuty {
            try tx.appendDutyLog(DutyLogEntry(at: now, staffID: "-", kind: .nobodyOnDuty,
                                              text: "\(department.rawValue) \(ticket.ref)", ticketRef: ticket.ref))
            if let head = roster.head(of: department), told.insert(head.id).inserted || head.id == ticket.handler {
                try tell(head, "staff.nobody_on_duty", about: ticket, ["duty_department":
                    templates.render("department.\(department.rawValue)", head.locale)])
            }
        }
        var ticket = ticket
        if ticket.severity == .emergency {
            // Page the whole duty team of the department and the control room at once; for fire or gas,
            // the security patrol on duty goes to check the spot and logs what they find.
            var paged: [(Staff, String)] = try present(ticket.department).map { ($0, "staff.page_emergency") }
            paged += try present(.fireControl).map { ($0, "staff.page_emergency") }
            if Self.needsPatrolCheck(labels) {
                paged += try present(.security).map { ($0, "staff.page_patrol_check") }
            }
            for (staff, key) in paged where told.insert(staff.id).inserted {
                try tell(staff, key, about: ticket)
                ticket.helpers.append(staff.id)
            }
            if !ticket.helpers.isEmpty {
                try event(ticket.ref, actor: "system", .paged, ticket.helpers.joined(separator: ","))
                try tx.updateTicket(ticket)
            }
        }
        if ticket.severity == .major || ticket.source == .written || ticket.flags.contains(.conduct) {
            try reportUp(ticket, key: ticket.source == .written ? "staff.written_registered" : "staff.major_alert",
                         alreadyTold: &told)
        }
    }

    /// Major complaints are reported at once to the department head and company leadership.
    mutating func reportUp(_ ticket: Ticket, key: String, alreadyTold told: inout Set<String>) throws {
        var recipients = [roster.head(of: ticket.department)].compactMap { $0 }
        if ticket.severity == .major || ticket.source == .written { recipients += roster.leaders }
        for staff in recipients where told.insert(staff.id).inserted {
            try tell(staff, key, about: ticket)
        }
        try event(ticket.ref, actor: "system", .escalated, "reported to " + recipients.map(\.id).joined(separator: ","))
    }

    /// Whether the desk should ask what the problem is: something is wrong but no category fits, or the
    /// classifier is unsure (confidence below `clarify_below`).
    static func unclear(_ labels: Classification, policy: DeskPolicy) -> Bool {
        guard labels.category == .general, labels.intent != .praise else { return false }
        return labels.intent == .repair || labels.intent == .complaint || labels.confidence < policy.clarifyBelow
    }

    static func needsPatrolCheck(_ labels: Classification) -> Bool {
        labels.category == .fireSafety
            || labels.rules.contains { $0.contains("gas") || $0.contains("fire") || $0.contains("smoke") }
    }

    /// The resident's acknowledgement: the ticket, the person accountable, the next step and when.
    mutating func acknowledge(_ ticket: Ticket, labels: Classification) throws {
        let key: String
        switch (ticket.intent, ticket.severity) {
        case (.praise, _): key = "resident.ack_praise"
        case (_, .emergency): key = "resident.ack_emergency"
        case (_, .major): key = "resident.ack_major"
        default: key = "resident.ack"
        }
        var text = templates.render(key, ticket.locale, values(for: ticket, locale: ticket.locale))
        if let question = ticket.awaiting {
            text += " " + templates.render("resident.ask_\(question.rawValue)", ticket.locale, values(for: ticket, locale: ticket.locale))
            try event(ticket.ref, actor: "system", .question, question.rawValue)
        }
        try send(text, to: ticket.resident, channel: ticket.channel, ticket: ticket.ref, resident: true,
                 urgent: ticket.severity == .emergency)
    }

    // MARK: Open tickets

    mutating func handleMentioned(_ ref: String, _ message: InboundMessage, open: [Ticket], locale: ReplyLocale) throws {
        if let choice = try tx.pendingChoice(resident: message.from), choice.refs.contains(ref),
           let ticket = open.first(where: { $0.ref == ref }) {
            // The answer to "which ticket?": the waiting message goes to the ticket named.
            try tx.setPendingChoice(nil, resident: message.from)
            var waiting = message
            waiting.text = choice.text
            try addFollowUp(waiting, to: ticket)
            return
        }
        if var ticket = open.first(where: { $0.ref == ref }) {
            if ticket.awaiting == .confirmation, let answer = words.resident.confirmation(message.text) {
                return try confirm(&ticket, answer, message)
            }
            return try addFollowUp(message, to: ticket)
        }
        if let closed = try tx.ticket(ref: ref), closed.resident == message.from {
            return try tellResident(closed, "resident.status_closed")
        }
        // Unknown or someone else's ticket: say so without revealing whether it exists.
        try send(templates.render("resident.unknown_ticket", locale, ["ref": ref]), to: message.from,
                 channel: message.channel, ticket: nil, resident: true)
    }

    /// Adds the message to the ticket's timeline and passes it to its owners. When the message reads more
    /// severe than the ticket ("now there is smoke", "third time, I am calling 12345") the ticket is raised:
    /// a major complaint is reported up, an emergency pages the duty team.
    mutating func addFollowUp(_ message: InboundMessage, to ticket: Ticket, labels: Classification? = nil) throws {
        var ticket = ticket
        try event(ticket.ref, actor: "resident", .residentMessage, message.text, channel: message.channel)
        let labels = labels ?? desk.classifier.classify(message.text)
        // Only a rule re-grades an open ticket from a follow-up: the learned model reads new reports, and on a short
        // "about T0001: home after 3pm" it can guess from digits and punctuation. Staff re-grade by text.
        if labels.severity > ticket.severity, ticket.status.isOpen, !labels.severityIsLearned {
            ticket.severity = labels.severity
            SlaClock.restart(.reply, on: &ticket, policy: policy, now: now)
            if ticket.firstResponseAt == nil { SlaClock.restart(.firstResponse, on: &ticket, policy: policy, now: now) }
            try save(&ticket)
            try event(ticket.ref, actor: "system", .flagged, "severity raised to \(labels.severity.rawValue) by the resident's message")
            var told: Set<String> = []
            try alertOnOpen(ticket, labels: labels, firstResponder: nil, handler: nil, nobodyOnDuty: [], alreadyTold: &told)
            try tellResident(ticket, ticket.severity == .emergency ? "resident.ack_emergency" : "resident.ack_major")
        } else {
            try tellResident(ticket, "resident.followup")
        }
        try notifyOwners(of: ticket, except: nil, actor: nil) { _ in message.text }
    }

    /// A photo alone joins the sender's newest open ticket (its attachment is linked there by the store); with
    /// none open, the desk asks what and where, and the photo waits for the ticket that answer opens.
    mutating func handlePhotoOnly(_ message: InboundMessage, open: [Ticket]) throws {
        guard let ticket = open.max(by: { ($0.createdAt, $0.ref) < ($1.createdAt, $1.ref) }) else {
            // No words to read a language from: simplified Chinese, the desk's first language.
            return try send(templates.render("resident.photo_needs_words", .zhHans), to: message.from,
                            channel: message.channel, ticket: nil, resident: true)
        }
        try event(ticket.ref, actor: "resident", .residentMessage, templates.render("event.photo", ticket.locale), channel: message.channel)
        try tellResident(ticket, "resident.photo_added")
        try notifyOwners(of: ticket, except: nil, actor: nil) { [templates] locale in templates.render("event.photo", locale) }
    }

    mutating func askWhich(_ tickets: [Ticket], _ message: InboundMessage, locale: ReplyLocale) throws {
        try tx.setPendingChoice(PendingChoice(text: message.text, channel: message.channel, at: now,
                                              refs: tickets.map(\.ref)), resident: message.from)
        let list = tickets.map { ticket in
            templates.render("resident.choice_line", locale, values(for: ticket, locale: locale))
        }.joined(separator: "; ")
        try send(templates.render("resident.ask_which", locale, ["tickets": list]), to: message.from,
                 channel: message.channel, ticket: nil, resident: true)
    }

    mutating func sendStatus(_ open: [Ticket], to message: InboundMessage, locale: ReplyLocale) throws {
        guard !open.isEmpty else {
            return try send(templates.render("resident.status_none", locale), to: message.from,
                            channel: message.channel, ticket: nil, resident: true)
        }
        let lines = open.map { ticket in
            templates.render("resident.status_line", locale, values(for: ticket, locale: locale))
        }.joined(separator: "\n")
        try send(templates.render("resident.status", locale, ["tickets": lines]), to: message.from,
                 channel: message.channel, ticket: nil, resident: true)
    }

    mutating func completeLocation(_ ticket: inout Ticket, _ location: Location, _ message: InboundMessage) throws {
        ticket.location = location
        try transition(&ticket, .answered(.location, next: nil), actor: "resident", text: message.text, channel: message.channel)
        try tellResident(ticket, "resident.location_noted")
        let place = location.display
        try notifyOwners(of: ticket, except: nil, actor: nil) { _ in "\(message.text) (\(place))" }
    }

    /// The answer to "what is the problem?": the ticket is classified again from both messages; a new
    /// department gets a new handler (the first responder stays).
    mutating func completeDetails(_ ticket: inout Ticket, _ message: InboundMessage) throws {
        let read = ticket.text + "\n" + message.text
        let labels = desk.classifier.classify(read)
        ticket.reading = ClassifierReading(text: read, labels: labels, rulesVersion: desk.classifier.rules.version)
        let next: TicketLifecycle.Question? =
            labels.location == nil && ticket.location == nil && labels.missing.contains("location") ? .location : nil
        ticket.category = labels.category
        ticket.intent = labels.intent
        ticket.location = ticket.location ?? labels.location
        if labels.severity > ticket.severity {
            ticket.severity = labels.severity
            for deadline in Deadline.allCases where deadline != .firstResponse || ticket.firstResponseAt == nil {
                SlaClock.restart(deadline, on: &ticket, policy: policy, now: now)
            }
        }
        var newHandler: Staff?
        if labels.department != ticket.department {
            ticket.department = labels.department
            ticket.departments.append(labels.department)
            newHandler = try assign(labels.department) ?? backup(labels.department)
            if let newHandler { ticket.handler = newHandler.id }
        }
        try transition(&ticket, .answered(.details, next: next), actor: "resident", text: message.text, channel: message.channel)
        try event(ticket.ref, actor: "system", .assigned,
                  "clarified: labels=\(labels.intent.rawValue)/\(labels.category.rawValue)/\(labels.severity.rawValue) "
                      + "handler=\(ticket.handler) fired=\(labels.rules.joined(separator: ","))")
        var reply = templates.render("resident.details_noted", ticket.locale, values(for: ticket, locale: ticket.locale))
        if ticket.awaiting == .location {
            reply += " " + templates.render("resident.ask_location", ticket.locale, values(for: ticket, locale: ticket.locale))
        }
        try send(reply, to: ticket.resident, channel: ticket.channel, ticket: ticket.ref, resident: true,
                 urgent: ticket.severity == .emergency)
        if let newHandler {
            try tell(newHandler, "staff.new_ticket_handler", about: ticket)
        }
        try notifyOwners(of: ticket, except: newHandler?.id, actor: nil) { _ in message.text }
    }

    mutating func linkRepeat(_ ticket: inout Ticket, _ message: InboundMessage, locale: ReplyLocale) throws {
        ticket.repeatCount += 1
        ticket.flags.insert(.repeated)
        // Co-reporters are told when it is fixed; beyond `maxCoReporters` further reports are only counted, so a
        // building-wide outage reported by hundreds does not grow the ticket without bound.
        if message.from != ticket.resident, ticket.coReporters.count < Ticket.maxCoReporters,
           !ticket.coReporters.contains(where: { $0.address == message.from }) {
            ticket.coReporters.append(Ticket.Reporter(address: message.from, channel: message.channel, locale: locale))
        }
        let becameMajor = ticket.repeatCount >= policy.repeatsForMajor && ticket.severity == .general
        if becameMajor {
            ticket.severity = .major
            SlaClock.restart(.reply, on: &ticket, policy: policy, now: now)
        }
        try save(&ticket)
        try event(ticket.ref, actor: "resident", .repeatReport, message.text, channel: message.channel)
        try send(templates.render("resident.repeat_linked", locale, values(for: ticket, locale: locale)),
                 to: message.from, channel: message.channel, ticket: ticket.ref, resident: true,
                 urgent: ticket.severity == .emergency)
        try notifyOwners(of: ticket, except: nil, actor: nil) { _ in message.text }
        if becameMajor {
            var told: Set<String> = [ticket.firstResponder, ticket.handler]
            try reportUp(ticket, key: "staff.major_alert", alreadyTold: &told)
        }
    }

    // MARK: Confirmation

    mutating func confirm(_ ticket: inout Ticket, _ answer: ResidentWords.Confirmation, _ message: InboundMessage) throws {
        ticket.opinion = message.text
        switch answer {
        case .unsolved:
            try transition(&ticket, .reopened, actor: "resident", text: message.text, channel: message.channel)
            for id in Set([ticket.firstResponder, ticket.handler]) {
                if let staff = roster.member(id: id) { try tell(staff, "staff.reopened", about: ticket, ["text": message.text]) }
            }
        case .solved, .rating:
            var rating: Int?
            if case let .solved(value) = answer { rating = value }
            if case let .rating(value) = answer { rating = value }
            ticket.satisfaction = rating
            try transition(&ticket, .confirmed, actor: "resident", text: message.text, channel: message.channel)
            let ratingText = rating.map(String.init) ?? "-"
            let templates = self.templates
            try notifyOwners(of: ticket, except: nil, actor: nil) { locale in
                templates.render("action.confirmed", locale, ["rating": ratingText, "text": message.text])
            }
        }
    }
}
