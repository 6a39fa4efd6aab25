import FirstaskClassifier

/// Everything the gateway says to residents and staff, per locale, loaded from `prompts/templates/`.
///
/// A template is text with `{name}` placeholders. Keys missing in a locale fall back to English, so a
/// half-translated file still says something sensible.
public struct Templates: Sendable, Equatable {
    public private(set) var texts: [ReplyLocale: [String: String]]

    /// The keys the desk uses; `validate()` reports any a locale lacks.
    public static let requiredKeys: [String] =
        [
            "resident.ack", "resident.ack_emergency", "resident.followup", "resident.accepted",
            "resident.staff_reply", "resident.resolved", "resident.unknown_ticket", "resident.label",
            "staff.new_ticket_first_responder", "staff.new_ticket_handler", "staff.progress",
            "staff.confirm_reply", "staff.confirm_accept", "staff.confirm_done", "staff.help",
            "staff.not_allowed", "staff.no_such_ticket", "staff.nobody_on_duty",
            "time.format",
        ] + Category.allCases.map { "category.\($0.rawValue)" }
        + Department.allCases.map { "department.\($0.rawValue)" }
        + Severity.allCases.map { "severity.\($0.rawValue)" }
        + StaffCommand.Verb.allCases.map { "action.\($0.rawValue)" }

    public init(_ texts: [ReplyLocale: [String: String]]) {
        self.texts = texts
    }

    /// The names of required keys missing per locale, e.g. `["zh-Hant: resident.ack"]`; empty when complete.
    public func missingKeys() -> [String] {
        ReplyLocale.allCases.flatMap { locale in
            Self.requiredKeys.filter { texts[locale]?[$0] == nil }.map { "\(locale.rawValue): \($0)" }
        }
    }

    /// Renders `key` in `locale`, replacing each `{name}` with `values[name]`; unknown placeholders stay as written.
    public func render(_ key: String, _ locale: ReplyLocale, _ values: [String: String] = [:]) -> String {
        let template = texts[locale]?[key] ?? texts[.en]?[key] ?? key
        var output = ""
        output.reserveCapacity(template.utf8.count + 32)
        var rest = template[...]
        while let open = rest.firstIndex(of: "{") {
            output += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            let name = String(rest[rest.index(after: open)..<close])
            if let value = values[name] {
                output += value
            } else {
                output += rest[open...close]
            }
            rest = rest[rest.index(after: close)...]
        }
        output += rest
        return output
    }
}
