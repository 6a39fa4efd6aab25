import FirstaskClassifier
import Foundation

/// A written complaint (书面投诉), registered by the office through the admin API.
public struct WrittenComplaint: Sendable, Equatable, Codable {
    /// The register number written on the letter (`SM-2026-031`).
    public var register: String
    /// The complaint's text (or a faithful summary), kept verbatim on the ticket.
    public var text: String
    /// The resident's address for updates (a phone number), if they gave one.
    public var resident: String?
    /// The channel to reach them on; required with `resident`.
    public var channel: String?
    public var locale: ReplyLocale?

    public init(register: String, text: String, resident: String? = nil, channel: String? = nil, locale: ReplyLocale? = nil) {
        self.register = register
        self.text = text
        self.resident = resident
        self.channel = channel
        self.locale = locale
    }
}

/// Written complaints go to leadership at once and need a written reply recorded before closing.
extension DeskTurn {
    mutating func registerWritten(_ complaint: WrittenComplaint) throws -> Ticket {
        let register = complaint.register.trimmingCharacters(in: .whitespaces)
        guard !register.isEmpty, register.count <= 64 else { throw DeskError.invalid("register must be 1–64 characters") }
        guard !complaint.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw DeskError.invalid("text is empty") }
        if complaint.resident != nil, complaint.channel == nil { throw DeskError.invalid("channel is required with resident") }
        if try tx.ticket(register: register) != nil { throw DeskError.duplicateRegister(register) }
        var labels = desk.classifier.classify(complaint.text)
        if labels.intent == .praise || labels.intent == .inquiry { labels.intent = .complaint }
        let locale = complaint.locale ?? ReplyLocale.detect(complaint.text)
        let ticket = try open(source: .written, resident: complaint.resident ?? "", channel: complaint.channel ?? "",
                              locale: locale, text: complaint.text, labels: labels, firstResponder: nil, register: register)
        if complaint.resident != nil { try tellResident(ticket, "resident.ack_written") }
        return ticket
    }

    mutating func recordWrittenReply(ref: String, text: String, by staffID: String) throws -> Ticket {
        guard var ticket = try tx.ticket(ref: ref) else { throw DeskError.noSuchTicket(ref) }
        guard ticket.source == .written else { throw DeskError.notWritten(ref) }
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw DeskError.invalid("text is empty") }
        ticket.writtenReplyAt = now
        ticket.lastReplyAt = now
        ticket.firstResponseAt = ticket.firstResponseAt ?? now
        try save(&ticket)
        try event(ref, actor: staffID, .writtenReply, text)
        let templates = self.templates
        try notifyOwners(of: ticket, except: nil, actor: staffID) { locale in
            templates.render("action.written_reply", locale)
        }
        return ticket
    }
}
