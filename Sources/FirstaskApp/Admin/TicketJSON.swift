import FirstaskDesk
import Foundation

/// A ticket as the admin API shows it (README, "Admin API"): snake_case keys, ISO 8601 times.
struct TicketJSON: Encodable {
    struct LocationJSON: Encodable {
        var building: String?
        var unit: String?
        var room: String?
        var place: String?
    }

    struct EventJSON: Encodable {
        var at: String
        var actor: String
        var kind: String
        var text: String
        var channel: String?

        // `channel` is null, not absent, for events that did not come by text.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(at, forKey: .at)
            try container.encode(actor, forKey: .actor)
            try container.encode(kind, forKey: .kind)
            try container.encode(text, forKey: .text)
            try container.encode(channel, forKey: .channel)
        }

        enum CodingKeys: String, CodingKey { case at, actor, kind, text, channel }
    }

    var ref: String
    var status: String
    var intent: String
    var category: String
    var department: String
    var severity: String
    var location: LocationJSON?
    var resident: String
    var channel: String
    var locale: String
    var text: String
    var first_responder: String
    var handler: String
    var rules_version: String
    var created_at: String
    var first_response_at: String?
    var promised_reply_at: String?
    var resolved_at: String?
    var closed_at: String?
    var satisfaction: Int?
    var source: String
    var flags: [String]
    var departments: [String]
    var transfer_count: Int
    var reopen_count: Int
    var repeat_count: Int
    var escalation: Int
    var awaiting: String?
    var first_response_due_at: String?
    var resolution_due_at: String?
    var register: String?
    var written_reply_at: String?
    var opinion: String?
    var close_reason: String?
    var events: [EventJSON]
    var attachments: [AttachmentJSON] = []

    /// An attachment as the admin API shows it; `url` (the token-protected download) once it is stored.
    struct AttachmentJSON: Encodable {
        var id: Int64
        var state: String
        var content_type: String?
        var size: Int?
        var sha256: String?
        var received_at: String
        var url: String?
        var error: String?

        init(_ attachment: Attachment) {
            id = attachment.id
            state = attachment.state.rawValue
            content_type = attachment.contentType ?? attachment.reference.contentType
            size = attachment.size
            sha256 = attachment.sha256
            received_at = TicketJSON.iso(attachment.receivedAt)
            url = attachment.state == .stored ? attachment.sha256.map { "/api/media/\($0)" } : nil
            error = attachment.lastError
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(state, forKey: .state)
            try c.encode(content_type, forKey: .content_type)
            try c.encode(size, forKey: .size)
            try c.encode(sha256, forKey: .sha256)
            try c.encode(received_at, forKey: .received_at)
            try c.encode(url, forKey: .url)
            try c.encode(error, forKey: .error)
        }

        enum CodingKeys: String, CodingKey { case id, state, content_type, size, sha256, received_at, url, error }
    }

    init(_ ticket: Ticket, events: [TicketEvent]) {
        func time(_ date: Date?) -> String? { date.map(Self.iso) }
        ref = ticket.ref
        status = ticket.status.rawValue
        intent = ticket.intent.rawValue
        category = ticket.category.rawValue
        department = ticket.department.rawValue
        severity = ticket.severity.rawValue
        location = ticket.location.map { LocationJSON(building: $0.building, unit: $0.unit, room: $0.room, place: $0.place) }
        resident = ticket.resident
        channel = ticket.channel
        locale = ticket.locale.rawValue
        text = ticket.text
        first_responder = ticket.firstResponder
        handler = ticket.handler
        rules_version = ticket.rulesVersion
        created_at = Self.iso(ticket.createdAt)
        first_response_at = time(ticket.firstResponseAt)
        promised_reply_at = time(ticket.promisedReplyAt)
        resolved_at = time(ticket.resolvedAt)
        closed_at = time(ticket.closedAt)
        satisfaction = ticket.satisfaction
        source = ticket.source.rawValue
        flags = ticket.flags.sorted().map(\.rawValue)
        departments = ticket.departments.map(\.rawValue)
        transfer_count = ticket.transferCount
        reopen_count = ticket.reopenCount
        repeat_count = ticket.repeatCount
        escalation = ticket.escalation
        awaiting = ticket.awaiting?.rawValue
        first_response_due_at = time(ticket.firstResponseDueAt)
        resolution_due_at = time(ticket.resolutionDueAt)
        register = ticket.register
        written_reply_at = time(ticket.writtenReplyAt)
        opinion = ticket.opinion
        close_reason = ticket.closeReason?.rawValue
        self.events = events.map {
            EventJSON(at: Self.iso($0.at), actor: $0.actor, kind: $0.kind.rawValue, text: $0.text, channel: $0.channel)
        }
    }

    static func iso(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .omitted))
    }

    // Encodes `nil` as JSON null rather than dropping the key, so clients see every documented field.
    enum CodingKeys: String, CodingKey {
        case ref, status, intent, category, department, severity, location, resident, channel, locale, text,
             first_responder, handler, rules_version, created_at, first_response_at, promised_reply_at,
             resolved_at, closed_at, satisfaction, source, flags, departments, transfer_count, reopen_count,
             repeat_count, escalation, awaiting, first_response_due_at, resolution_due_at, register, written_reply_at,
             opinion, close_reason, events, attachments
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ref, forKey: .ref)
        try c.encode(status, forKey: .status)
        try c.encode(intent, forKey: .intent)
        try c.encode(category, forKey: .category)
        try c.encode(department, forKey: .department)
        try c.encode(severity, forKey: .severity)
        try c.encode(location, forKey: .location)
        try c.encode(resident, forKey: .resident)
        try c.encode(channel, forKey: .channel)
        try c.encode(locale, forKey: .locale)
        try c.encode(text, forKey: .text)
        try c.encode(first_responder, forKey: .first_responder)
        try c.encode(handler, forKey: .handler)
        try c.encode(rules_version, forKey: .rules_version)
        try c.encode(created_at, forKey: .created_at)
        try c.encode(first_response_at, forKey: .first_response_at)
        try c.encode(promised_reply_at, forKey: .promised_reply_at)
        try c.encode(resolved_at, forKey: .resolved_at)
        try c.encode(closed_at, forKey: .closed_at)
        try c.encode(satisfaction, forKey: .satisfaction)
        try c.encode(source, forKey: .source)
        try c.encode(flags, forKey: .flags)
        try c.encode(departments, forKey: .departments)
        try c.encode(transfer_count, forKey: .transfer_count)
        try c.encode(reopen_count, forKey: .reopen_count)
        try c.encode(repeat_count, forKey: .repeat_count)
        try c.encode(escalation, forKey: .escalation)
        try c.encode(awaiting, forKey: .awaiting)
        try c.encode(first_response_due_at, forKey: .first_response_due_at)
        try c.encode(resolution_due_at, forKey: .resolution_due_at)
        try c.encode(register, forKey: .register)
        try c.encode(written_reply_at, forKey: .written_reply_at)
        try c.encode(opinion, forKey: .opinion)
        try c.encode(close_reason, forKey: .close_reason)
        try c.encode(events, forKey: .events)
        try c.encode(attachments, forKey: .attachments)
    }
}
