import FirstaskClassifier
import Foundation

/// Staff correcting the labels the classifier gave a ticket: `regrade T0001 <severity>`, `category T0001
/// <category>`, and (recorded from `DeskTurn+Staff.swift`) transfers. Each correction changes the ticket the
/// way the right label would have from the start, is recorded in the store with what the classifier read
/// (for `firstask rules corrections` and `rules suggest`) and on the ticket's timeline.
///
/// On a ticket still being worked (open or accepted) a correction has its full effect; on a done or closed
/// ticket only the label is corrected and recorded (nobody is paged about finished work, and the department
/// that did the work stays on the record).
extension DeskTurn {
    /// What the classifier read for `ticket`: kept on it, or, for tickets stored before readings were kept,
    /// recovered from its timeline.
    func reading(of ticket: Ticket) throws -> ClassifierReading {
        if let reading = ticket.reading { return reading }
        return ClassifierReading.recovered(from: ticket, events: try tx.events(ref: ticket.ref))
    }

    /// Records a correction in the store and, as `timeline`, on the ticket's timeline.
    mutating func recordCorrection(
        of ticket: Ticket, _ kind: LabelCorrection.Kind, reading: ClassifierReading, by staff: Staff,
        category: Category? = nil, department: Department? = nil, severity: Severity? = nil, timeline: String,
        channel: String?
    ) throws {
        try tx.appendCorrection(LabelCorrection(
            ticketRef: ticket.ref, at: now, by: staff.id, kind: kind, reading: reading, category: category,
            department: department, severity: severity))
        try event(ticket.ref, actor: staff.id, .corrected, timeline, channel: channel)
    }

    /// `regrade T0001 <severity>`. On a ticket being worked, the running clocks restart on the new severity's
    /// deadlines (on a downgrade the reply time the resident was promised stands), and an emergency or major
    /// complaint alerts everyone it would have had it opened so — through `alertOnOpen`, as a follow-up that
    /// raises the severity does: the duty team and the control room paged (and the patrol for fire or gas),
    /// the head and leadership told; the resident hears it is now treated as urgent or serious.
    mutating func regrade(_ ticket: inout Ticket, to severity: Severity, reason: String, by staff: Staff, channel: String) throws {
        guard severity != ticket.severity else {
            return try tell(staff, "staff.correction_unchanged", about: ticket, via: channel)
        }
        let reading = try reading(of: ticket)
        let before = ticket.severity
        let active = ticket.status == .open || ticket.status == .accepted
        ticket.severity = severity
        if active {
            if ticket.firstResponseAt == nil { SlaClock.restart(.firstResponse, on: &ticket, policy: policy, now: now) }
            if severity > before { SlaClock.restart(.reply, on: &ticket, policy: policy, now: now) }
            SlaClock.restart(.resolution, on: &ticket, policy: policy, now: now)
        }
        try save(&ticket)
        try recordCorrection(of: ticket, .severity, reading: reading, by: staff, severity: severity,
                             timeline: "severity \(before.rawValue) → \(severity.rawValue)" + Self.because(reason),
                             channel: channel)
        // The one who re-graded it knows; everyone else is alerted as at opening.
        var told: Set<String> = [staff.id]
        if active, severity != .general {
            let labels = Classification(
                intent: ticket.intent, category: ticket.category, department: ticket.department, severity: severity,
                location: ticket.location, confidence: 1, rules: reading.rules, missing: [])
            try alertOnOpen(ticket, labels: labels, firstResponder: nil, handler: nil, nobodyOnDuty: [], alreadyTold: &told)
            // alertOnOpen records who was paged on the stored ticket.
            ticket = try tx.ticket(ref: ticket.ref) ?? ticket
            if severity > before {
                try tellResident(ticket, severity == .emergency ? "resident.ack_emergency" : "resident.ack_major")
            }
        }
        try tell(staff, "staff.confirm_regrade", about: ticket, via: channel)
        let templates = self.templates
        let severityKey = "severity.\(severity.rawValue)"
        try notifyOwners(of: ticket, except: staff.id, actor: staff.name, told: told) { locale in
            templates.render("action.regrade", locale) + ": " + templates.render(severityKey, locale)
        }
    }

    /// `category T0001 <category>`. On a ticket being worked, it moves to the category's department the way a
    /// transfer does (a new handler with the resident's own words, the resident told, the first responder
    /// stays, buck-passing counted). A staff-conduct category keeps the ticket from the person the resident
    /// names, as at opening; leaving it drops the conduct mark.
    mutating func recategorise(_ ticket: inout Ticket, to category: Category, reason: String, by staff: Staff, channel: String) throws {
        guard category != ticket.category else {
            return try tell(staff, "staff.correction_unchanged", about: ticket, via: channel)
        }
        let reading = try reading(of: ticket)
        let before = ticket
        let department = desk.classifier.rules.department(for: category)
        ticket.category = category
        if category == .staffConduct {
            ticket.flags.insert(.conduct)
            ticket.conductSubject = ticket.conductSubject ?? roster.membersNamed(in: ticket.text).first?.id
        } else if before.category == .staffConduct {
            ticket.flags.remove(.conduct)
            ticket.conductSubject = nil
        }
        let active = ticket.status == .open || ticket.status == .accepted
        if active, department != ticket.department {
            guard try transfer(&ticket, to: department, reason: reason, by: staff, channel: channel, move: .recategorised) else {
                ticket = before
                return
            }
        } else {
            try save(&ticket)
            try tell(staff, "staff.confirm_category", about: ticket, via: channel)
            try notifyOwners(of: ticket, except: staff.id, actor: staff.name, onlyFirstResponder: true,
                             text: Self.categoryAction(category, ticket.department, templates: templates))
        }
        try recordCorrection(of: ticket, .category, reading: reading, by: staff, category: category, department: department,
                             timeline: "category \(before.category.rawValue) → \(category.rawValue)" + Self.because(reason),
                             channel: channel)
    }

    /// The first responder's progress text for a category correction: `更正类别: 电梯 → 工程部`.
    static func categoryAction(_ category: Category, _ department: Department, templates: Templates) -> (ReplyLocale) -> String {
        { locale in
            templates.render("action.category", locale) + ": " + templates.render("category.\(category.rawValue)", locale)
                + " → " + templates.render("department.\(department.rawValue)", locale)
        }
    }

    static func because(_ reason: String) -> String { reason.isEmpty ? "" : ": \(reason)" }
}
