import FirstaskClassifier
import Foundation

/// Staff commands by text. Staff are recognised by their registered number; an unknown or malformed
/// command gets the help text, never silence; a command on a ticket the sender may not touch is refused
/// and recorded on the ticket's timeline.
extension DeskTurn {
    mutating func handleStaff(_ message: InboundMessage, from staff: Staff) throws {
        guard let command = words.parse(message.text), command.verb != .help else {
            return try tell(staff, "staff.help", about: nil, via: message.channel)
        }
        guard command.verb.needsTicket else {
            return try handleShiftCommand(command, message, from: staff)
        }
        guard let ref = command.ref else {
            return try tell(staff, "usage.\(command.verb.rawValue)", about: nil, via: message.channel)
        }
        try runTicketCommand(command, ref: ref, message, from: staff)
    }

    /// A command on ticket `ref` (by text, or from the web console): refused and recorded when `staff` may not
    /// run it, answered when the ticket is closed, else worked.
    mutating func runTicketCommand(_ command: StaffCommand, ref: String, _ message: InboundMessage, from staff: Staff) throws {
        guard var ticket = try tx.ticket(ref: ref) else {
            return try tell(staff, "staff.no_such_ticket", about: nil, ["ref": ref], via: message.channel)
        }
        if let refusal = refusal(command.verb, ticket, staff) {
            try event(ticket.ref, actor: staff.id, .note, "refused \(command.verb.rawValue): \(refusal)",
                      channel: message.channel)
            return try tell(staff, "staff.not_allowed", about: ticket, via: message.channel)
        }
        // Notes, callbacks and corrections of the labels (for the record and the rules) apply to closed tickets too.
        if !ticket.status.isOpen, ![.note, .callback, .regrade, .category].contains(command.verb) {
            return try tell(staff, "staff.ticket_closed", about: ticket, via: message.channel)
        }
        try work(&ticket, command, message, by: staff)
    }

    /// Why `staff` may not run `verb` on `ticket`, or `nil` if they may.
    ///
    /// The first responder, the handler, the head of the ticket's department and leadership may work a
    /// ticket; staff paged to help may add notes; the service centre records callbacks. Nobody may act on a
    /// conduct complaint about themselves.
    func refusal(_ verb: StaffCommand.Verb, _ ticket: Ticket, _ staff: Staff) -> String? {
        if ticket.conductSubject == staff.id { return "the complaint is about them" }
        if ticket.isOwned(by: staff.id) || staff.role == .leader { return nil }
        if staff.role == .head && (staff.department == ticket.department || ticket.departments.contains(staff.department)) {
            return nil
        }
        if verb == .note, ticket.helpers.contains(staff.id) { return nil }
        if verb == .callback, staff.department == .service { return nil }
        return "not on this ticket"
    }

    mutating func work(_ ticket: inout Ticket, _ command: StaffCommand, _ message: InboundMessage, by staff: Staff) throws {
        let channel = message.channel
        // Any step by staff on an open ticket is a first response, except what the resident never sees: notes,
        // callbacks, corrections of the labels.
        if ticket.firstResponseAt == nil, ![.note, .callback, .regrade, .category].contains(command.verb) {
            ticket.firstResponseAt = now
        }
        let actionText: String
        switch command.verb {
        case .accept:
            try transition(&ticket, .staffStep, actor: staff.id, text: command.text, channel: channel)
            try event(ticket.ref, actor: staff.id, .accepted, command.text, channel: channel)
            try tellResident(ticket, "resident.accepted", [
                "staff": staff.name,
                "staff_department": templates.render("department.\(staff.department.rawValue)", ticket.locale),
            ])
            try tell(staff, "staff.confirm_accept", about: ticket, via: channel)
            actionText = command.text

        case .reply:
            guard !command.text.isEmpty else { return try tell(staff, "usage.reply", about: ticket, via: channel) }
            ticket.lastReplyAt = now
            try transition(&ticket, .staffStep, actor: staff.id, text: command.text, channel: channel)
            try event(ticket.ref, actor: staff.id, .staffReply, command.text, channel: channel)
            try tellResident(ticket, "resident.staff_reply", ["staff": staff.name, "text": command.text])
            try tell(staff, "staff.confirm_reply", about: ticket, via: channel)
            actionText = command.text

        case .done:
            if ticket.source == .written, ticket.writtenReplyAt == nil {
                return try tell(staff, "staff.written_reply_needed", about: ticket, via: channel)
            }
            ticket.lastReplyAt = now
            // With no resident to confirm (a patrol finding, a written complaint without a number) done closes it.
            try transition(&ticket, .done(residentConfirms: ticket.source != .patrol && !ticket.resident.isEmpty),
                           actor: staff.id, text: command.text, channel: channel,
                           values: ["staff": staff.name, "text": command.text])
            for reporter in ticket.coReporters {
                try send(templates.render("resident.resolved_linked", reporter.locale, values(for: ticket, locale: reporter.locale)),
                         to: reporter.address, channel: reporter.channel, ticket: ticket.ref, resident: true)
            }
            try tell(staff, "staff.confirm_done", about: ticket, via: channel)
            actionText = command.text

        case .promise:
            guard let (date, note) = PromiseTime.parse(command.text, now: now, calendar: calendar) else {
                return try tell(staff, "usage.promise", about: ticket, via: channel)
            }
            ticket.promisedReplyAt = date
            ticket.promiseMadeAt = now
            ticket.escalations[.reply] = nil
            try transition(&ticket, .staffStep, actor: staff.id, text: command.text, channel: channel)
            try event(ticket.ref, actor: staff.id, .promised, "\(time(date, .en)) \(note)", channel: channel)
            try tellResident(ticket, "resident.promised", ["staff": staff.name, "text": note])
            try tell(staff, "staff.confirm_promise", about: ticket, via: channel)
            actionText = time(date, staff.locale)

        case .transfer:
            guard let (department, reason) = words.department(in: command.text) else {
                return try tell(staff, "usage.transfer", about: ticket, via: channel)
            }
            try transfer(&ticket, to: department, reason: reason, by: staff, channel: channel)
            return

        case .escalate:
            try escalate(&ticket, reason: command.text, by: staff, channel: channel)
            return

        case .regrade:
            guard let (severity, reason) = words.severity(in: command.text) else {
                return try tell(staff, "usage.regrade", about: ticket, via: channel)
            }
            try regrade(&ticket, to: severity, reason: reason, by: staff, channel: channel)
            return

        case .category:
            guard let (category, reason) = words.category(in: command.text) else {
                return try tell(staff, "usage.category", about: ticket, via: channel)
            }
            try recategorise(&ticket, to: category, reason: reason, by: staff, channel: channel)
            return

        case .note:
            guard !command.text.isEmpty else { return try tell(staff, "usage.note", about: ticket, via: channel) }
            try event(ticket.ref, actor: staff.id, .note, command.text, channel: channel)
            try tell(staff, "staff.confirm_note", about: ticket, via: channel)
            actionText = command.text

        case .callback:
            guard !command.text.isEmpty else { return try tell(staff, "usage.callback", about: ticket, via: channel) }
            try event(ticket.ref, actor: staff.id, .callback, command.text, channel: channel)
            try tell(staff, "staff.confirm_callback", about: ticket, via: channel)
            return

        case .mine, .duty, .handover, .patrol, .checkIn, .checkOut, .help:
            return
        }
        // The first responder stays accountable, so hears of every step someone else takes.
        let verb = command.verb.rawValue
        let templates = self.templates
        try notifyOwners(of: ticket, except: staff.id, actor: staff.name, onlyFirstResponder: true) { locale in
            let action = templates.render("action.\(verb)", locale)
            return actionText.isEmpty ? action : "\(action): \(actionText)"
        }
    }

    /// Why a ticket moves to another department.
    enum Move {
        /// `transfer T0001 <department>`: recorded as a correction of the department the classifier chose.
        case transfer
        /// `category T0001 <category>`: the ticket (already given its new category) follows it to its
        /// department; the caller records the correction.
        case recategorised
    }

    /// Hands the ticket to another department. The first responder stays; the resident is told politely who
    /// has it now and why; the new handler gets the resident's own words verbatim. Handing on too often, or
    /// back to a department that already had it, is buck-passing: flagged and escalated to the heads.
    /// Returns false, having told `staff`, when nobody can take it (then nothing changed).
    @discardableResult
    mutating func transfer(
        _ ticket: inout Ticket, to department: Department, reason: String, by staff: Staff, channel: String,
        move: Move = .transfer
    ) throws -> Bool {
        let excluded: Set<String> = Set([ticket.conductSubject, ticket.handler].compactMap { $0 })
        guard let handler = try assign(department, excluding: excluded) ?? backup(department, excluding: excluded) else {
            try tell(staff, "staff.nobody_to_transfer", about: ticket, via: channel)
            return false
        }
        let reading = try reading(of: ticket)
        let from = ticket.department
        let bounced = ticket.departments.contains(department) && department != from
        ticket.department = department
        ticket.handler = handler.id
        ticket.departments.append(department)
        ticket.transferCount += 1
        let buckPassing = bounced || ticket.transferCount > policy.maxTransfers
        if buckPassing { ticket.flags.insert(.buckPassing) }
        try transition(&ticket, .handedOn, actor: staff.id, text: reason, channel: channel)
        try event(ticket.ref, actor: staff.id, .transferred,
                  "\(from.rawValue) → \(department.rawValue) handler=\(handler.id) \(reason)", channel: channel)

        let residentWords = try tx.events(ref: ticket.ref).filter { $0.actor == "resident" }.map(\.text)
        let words = ([ticket.text] + residentWords.filter { $0 != ticket.text }).joined(separator: " / ")
        try tell(handler, "staff.transferred_to_you", about: ticket, ["staff": staff.name, "text": reason, "resident_words": words])
        try tellResident(ticket, "resident.transferred", ["text": reason.isEmpty ? "-" : reason])
        let templates = self.templates
        switch move {
        case .transfer:
            // A transfer says the department was wrong, not what the matter is: only the department is recorded.
            try recordCorrection(of: ticket, .transfer, reading: reading, by: staff, department: department,
                                 timeline: "department \(from.rawValue) → \(department.rawValue) (transfer)", channel: channel)
            try tell(staff, "staff.confirm_transfer", about: ticket, via: channel)
            try notifyOwners(of: ticket, except: staff.id, actor: staff.name, onlyFirstResponder: true) { locale in
                templates.render("action.transfer", locale) + ": " + templates.render("department.\(department.rawValue)", locale)
            }
        case .recategorised:
            try tell(staff, "staff.confirm_category", about: ticket, via: channel)
            try notifyOwners(of: ticket, except: staff.id, actor: staff.name, onlyFirstResponder: true,
                             text: Self.categoryAction(ticket.category, department, templates: templates))
        }
        if buckPassing {
            try event(ticket.ref, actor: "system", .flagged,
                      "buck_passing transfers=\(ticket.transferCount) departments=\(ticket.departments.map(\.rawValue).joined(separator: ","))")
            var told: Set<String> = [handler.id, staff.id]
            for head in [roster.head(of: department), roster.head(of: from)].compactMap({ $0 }) where told.insert(head.id).inserted {
                try tell(head, "staff.buck_passing", about: ticket, ["text": ticket.departments.map {
                    templates.render("department.\($0.rawValue)", head.locale)
                }.joined(separator: " → ")])
            }
        }
        return true
    }

    /// Reports the ticket up: to the department head, or from the head to leadership.
    mutating func escalate(_ ticket: inout Ticket, reason: String, by staff: Staff, channel: String) throws {
        let head = roster.head(of: ticket.department)
        let recipients = staff.role == .staff && head != nil && head?.id != staff.id ? [head!] : roster.leaders
        ticket.escalations[.resolution] = max(ticket.escalations[.resolution] ?? 0, staff.role == .staff ? 2 : 3)
        try save(&ticket)
        try event(ticket.ref, actor: staff.id, .escalated, "to \(recipients.map(\.id).joined(separator: ",")): \(reason)",
                  channel: channel)
        for recipient in recipients where recipient.id != staff.id {
            try tell(recipient, "staff.escalated_to_you", about: ticket, ["staff": staff.name, "text": reason])
        }
        try tell(staff, "staff.confirm_escalate", about: ticket, via: channel)
        let templates = self.templates
        try notifyOwners(of: ticket, except: staff.id, actor: staff.name, onlyFirstResponder: true) { locale in
            templates.render("action.escalate", locale) + (reason.isEmpty ? "" : ": \(reason)")
        }
    }

    // MARK: Shift commands

    mutating func handleShiftCommand(_ command: StaffCommand, _ message: InboundMessage, from staff: Staff) throws {
        let channel = message.channel
        switch command.verb {
        case .mine:
            let tickets = try tx.openTickets(staff: staff.id)
            guard !tickets.isEmpty else { return try tell(staff, "staff.mine_none", about: nil, via: channel) }
            let lines = tickets.map { ticket in
                templates.render("staff.mine_line", staff.locale, values(for: ticket, locale: staff.locale).merging([
                    "role": templates.render(ticket.firstResponder == staff.id ? "role.first_responder" : "role.handler", staff.locale),
                ]) { $1 })
            }
            try tell(staff, "staff.mine", about: nil, ["tickets": lines.joined(separator: "\n")], via: channel)

        case .duty:
            var lines: [String] = []
            for department in [Department.service, .engineering, .fireControl, .security, .environment] {
                let names = try present(department).map(\.name)
                lines.append(templates.render("staff.duty_line", staff.locale, [
                    "department": templates.render("department.\(department.rawValue)", staff.locale),
                    "names": names.isEmpty ? "-" : names.joined(separator: ", "),
                    "head": roster.head(of: department)?.name ?? "-",
                ]))
            }
            try tell(staff, "staff.duty", about: nil, ["lines": lines.joined(separator: "\n")], via: channel)

        case .checkIn:
            try tx.appendDutyLog(DutyLogEntry(at: now, staffID: staff.id, kind: .checkIn))
            let open = try tx.openTickets(staff: staff.id).count
            let handover = try tx.dutyLog(since: now.addingTimeInterval(-86_400)).last { entry in
                entry.kind == .handover && entry.staffID != staff.id
                    && roster.member(id: entry.staffID)?.department == staff.department
            }
            try tell(staff, "staff.checked_in", about: nil, [
                "count": String(open),
                "handover": handover.map { templates.render("staff.handover_line", staff.locale, ["staff": name($0.staffID), "text": $0.text]) } ?? "-",
            ], via: channel)

        case .checkOut:
            try tx.appendDutyLog(DutyLogEntry(at: now, staffID: staff.id, kind: .checkOut))
            try tell(staff, "staff.checked_out", about: nil, ["count": String(try tx.openTickets(staff: staff.id).count)], via: channel)

        case .handover:
            guard !command.text.isEmpty else { return try tell(staff, "usage.handover", about: nil, via: channel) }
            try tx.appendDutyLog(DutyLogEntry(at: now, staffID: staff.id, kind: .handover, text: command.text))
            try tell(staff, "staff.confirm_handover", about: nil, via: channel)

        case .patrol:
            guard let patrol = words.patrol(command.text) else { return try tell(staff, "usage.patrol", about: nil, via: channel) }
            var entry = DutyLogEntry(at: now, staffID: staff.id, kind: .patrol, place: patrol.place, text: patrol.result,
                                     abnormal: patrol.abnormal)
            if patrol.abnormal {
                // What the patrol found becomes a ticket; the one who found it is its first responder.
                let text = "\(patrol.place) \(patrol.result)"
                var labels = desk.classifier.classify(text)
                if labels.intent == .praise || labels.intent == .inquiry { labels.intent = .repair }
                // The place the patrol names is where it is, when the rules read no building or flat in it.
                labels.location = labels.location ?? Location(place: patrol.place)
                let ticket = try open(source: .patrol, resident: staff.address, channel: staff.channel ?? channel,
                                      locale: staff.locale, text: text, labels: labels, firstResponder: staff)
                entry.ticketRef = ticket.ref
                try tx.appendDutyLog(entry)
                try tell(staff, "staff.patrol_ticket", about: ticket, ["place": patrol.place], via: channel)
            } else {
                try tx.appendDutyLog(entry)
                try tell(staff, "staff.patrol_logged", about: nil, ["place": patrol.place], via: channel)
            }

        case .accept, .reply, .done, .promise, .transfer, .escalate, .note, .callback, .regrade, .category, .help:
            try tell(staff, "staff.help", about: nil, via: channel)
        }
    }
}
