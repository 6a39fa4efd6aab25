import FirstaskClassifier

/// Everything the gateway says to residents and staff, per locale, loaded from `prompts/templates/`.
///
/// A template is text with `{name}` placeholders. Keys missing in a locale fall back to English, so a
/// half-translated file still says something sensible.
public struct Templates: Sendable, Equatable {
    public private(set) var texts: [ReplyLocale: [String: String]]
    /// The same texts split once into literal and placeholder pieces, so rendering is concatenation.
    private var compiled: [ReplyLocale: [String: [Piece]]]

    enum Piece: Sendable, Equatable {
        case literal(String)
        case placeholder(String)
    }

    /// The keys the desk uses; `validate()` reports any a locale lacks.
    public static let requiredKeys: [String] =
        [
            "resident.ack", "resident.ack_emergency", "resident.ack_major", "resident.ack_praise", "resident.ack_written",
            "resident.ask_location", "resident.ask_details", "resident.details_noted", "resident.location_noted", "resident.followup", "resident.accepted",
            "resident.staff_reply", "resident.promised", "resident.transferred", "resident.resolved",
            "resident.resolved_linked", "resident.reopened", "resident.thanks", "resident.closed_unconfirmed",
            "resident.repeat_linked", "resident.unknown_ticket", "resident.status_closed", "resident.status",
            "resident.status_line", "resident.status_none", "resident.ask_which", "resident.choice_line", "resident.label", "resident.flood_notice",
            "resident.photo_added", "resident.photo_needs_words", "event.photo",
            "staff.new_ticket_first_responder", "staff.new_ticket_handler", "staff.conduct_complaint", "staff.praise",
            "staff.nobody_on_duty", "staff.page_emergency", "staff.page_patrol_check", "staff.major_alert",
            "staff.written_registered", "staff.progress", "staff.reopened", "staff.transferred_to_you", "staff.buck_passing",
            "staff.escalated_to_you", "staff.reminder", "staff.overdue_head", "staff.overdue_leader", "staff.missed_check_in", "staff.dead_letter",
            "staff.confirm_reply", "staff.confirm_accept", "staff.confirm_done", "staff.confirm_promise", "staff.confirm_note",
            "staff.confirm_callback", "staff.confirm_transfer", "staff.confirm_escalate", "staff.confirm_handover",
            "staff.confirm_regrade", "staff.confirm_category", "staff.correction_unchanged",
            "staff.written_reply_needed", "staff.nobody_to_transfer", "staff.ticket_closed", "staff.help",
            "staff.not_allowed", "staff.no_such_ticket", "staff.mine", "staff.mine_line", "staff.mine_none", "staff.duty",
            "staff.duty_line", "staff.checked_in", "staff.handover_line", "staff.checked_out", "staff.patrol_logged", "staff.patrol_ticket",
            "time.format", "list.separator", "role.first_responder", "role.handler", "action.confirmed", "action.written_reply",
        ] + Category.allCases.map { "category.\($0.rawValue)" }
        + Department.allCases.map { "department.\($0.rawValue)" }
        + Severity.allCases.map { "severity.\($0.rawValue)" }
        + Ticket.Status.allCases.map { "status.\($0.rawValue)" }
        + Deadline.allCases.map { "deadline.\($0.rawValue)" }
        + (1...12).map { "month.\($0)" }
        + StaffCommand.Verb.allCases.filter(\.needsTicket).map { "action.\($0.rawValue)" }
        + StaffCommand.Verb.allCases.filter { $0.needsTicket || $0 == .handover || $0 == .patrol }.map { "usage.\($0.rawValue)" }

    public init(_ texts: [ReplyLocale: [String: String]]) {
        self.texts = texts
        compiled = texts.mapValues { $0.mapValues(Self.compile) }
    }

    static func compile(_ template: String) -> [Piece] {
        var pieces: [Piece] = []
        var rest = template[...]
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            if open > rest.startIndex { pieces.append(.literal(String(rest[..<open]))) }
            pieces.append(.placeholder(String(rest[rest.index(after: open)..<close])))
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { pieces.append(.literal(String(rest))) }
        return pieces
    }

    /// The names of required keys missing per locale, e.g. `["zh-Hant: resident.ack"]`; empty when complete.
    public func missingKeys() -> [String] {
        ReplyLocale.allCases.flatMap { locale in
            Self.requiredKeys.filter { texts[locale]?[$0] == nil }.map { "\(locale.rawValue): \($0)" }
        }
    }

    /// Renders `key` in `locale`, replacing each `{name}` with `values[name]`; unknown placeholders stay as written.
    ///
    /// A full stop written right after a placeholder is dropped when the value already ends its sentence, so
    /// a resident's words that end in `。` or `.` are not followed by a second one (`…答复。。`, `Monday.。`).
    public func render(_ key: String, _ locale: ReplyLocale, _ values: [String: String] = [:]) -> String {
        guard let pieces = compiled[locale]?[key] ?? compiled[.en]?[key] else { return key }
        var output = ""
        var valueEndsSentence = false
        for piece in pieces {
            switch piece {
            case let .literal(text):
                if valueEndsSentence, let first = text.first, Self.fullStops.contains(first) {
                    output += text.dropFirst()
                } else {
                    output += text
                }
                valueEndsSentence = false
            case let .placeholder(name):
                let value = values[name] ?? "{\(name)}"
                output += value
                valueEndsSentence = value.last { !$0.isWhitespace }.map(Self.sentenceEnds.contains) ?? false
            }
        }
        return output
    }

    /// The full stops a template may write after a placeholder, in every script.
    static let fullStops: Set<Character> = ["。", ".", "．"]
    /// Marks that end a sentence: after one of these a template's full stop would double it.
    static let sentenceEnds: Set<Character> = ["。", ".", "．", "!", "！", "?", "？", "…"]
}
