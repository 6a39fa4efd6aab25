import FirstaskClassifier
import Foundation

/// What the classifier read for a ticket: the text it classified, its labels, the rules that fired and the
/// version of the rules file. Kept on the ticket so a staff correction can say what the rules got wrong.
///
/// Set when the ticket opens, and again when the resident's answer to "what is the problem?" makes the desk
/// classify the ticket anew (then `text` is both messages, one per line, as the classifier read them).
public struct ClassifierReading: Sendable, Equatable, Codable {
    public var text: String
    public var intent: Intent
    public var category: Category
    public var department: Department
    public var severity: Severity
    /// Ids of the rules that fired, in rules-file order.
    public var rules: [String]
    public var rulesVersion: String

    public init(
        text: String, intent: Intent, category: Category, department: Department, severity: Severity, rules: [String],
        rulesVersion: String
    ) {
        self.text = text
        self.intent = intent
        self.category = category
        self.department = department
        self.severity = severity
        self.rules = rules
        self.rulesVersion = rulesVersion
    }

    public init(text: String, labels: Classification, rulesVersion: String) {
        self.init(text: text, intent: labels.intent, category: labels.category, department: labels.department,
                  severity: labels.severity, rules: labels.rules, rulesVersion: rulesVersion)
    }

    /// The reading of a ticket stored before readings were kept: the labels and fired rules from the desk's
    /// first `assigned` event (`… rules=V labels=intent/category/severity fired=a,b`), the department it was
    /// first routed to; the ticket's own labels where the event says nothing.
    public static func recovered(from ticket: Ticket, events: [TicketEvent]) -> ClassifierReading {
        var reading = ClassifierReading(
            text: ticket.text, intent: ticket.intent, category: ticket.category,
            department: ticket.departments.first ?? ticket.department, severity: ticket.severity, rules: [],
            rulesVersion: ticket.rulesVersion)
        guard let assigned = events.first(where: { $0.kind == .assigned && $0.actor == "system" }) else { return reading }
        for field in assigned.text.split(separator: " ") {
            if field.hasPrefix("labels=") {
                let parts = field.dropFirst("labels=".count).split(separator: "/").map(String.init)
                if parts.count == 3 {
                    reading.intent = Intent(rawValue: parts[0]) ?? reading.intent
                    reading.category = Category(rawValue: parts[1]) ?? reading.category
                    reading.severity = Severity(rawValue: parts[2]) ?? reading.severity
                }
            } else if field.hasPrefix("fired=") {
                reading.rules = field.dropFirst("fired=".count).split(separator: ",").map(String.init)
            }
        }
        return reading
    }
}

/// A staff member's correction of the labels a ticket was given: a re-grade (`改 T0001 紧急`), a new category
/// (`类别 T0001 电梯`), or a transfer to another department. Stored for `firstask rules corrections` and
/// `firstask rules suggest`, which learn from them; never changes the rules by itself.
public struct LabelCorrection: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// `regrade`: the severity was wrong.
        case severity
        /// `category`: the category (and so the department) was wrong.
        case category
        /// `transfer`: the department was wrong. Only the department is known: a transfer says where the
        /// work belongs, not what the matter is.
        case transfer
    }

    public var ticketRef: String
    public var at: Date
    /// The staff id of whoever corrected it.
    public var by: String
    public var kind: Kind
    /// What the classifier read and said (see ``ClassifierReading``).
    public var reading: ClassifierReading
    /// The corrected values; `nil` where this correction says nothing.
    public var category: Category?
    public var department: Department?
    public var severity: Severity?

    public init(
        ticketRef: String, at: Date, by: String, kind: Kind, reading: ClassifierReading, category: Category? = nil,
        department: Department? = nil, severity: Severity? = nil
    ) {
        self.ticketRef = ticketRef
        self.at = at
        self.by = by
        self.kind = kind
        self.reading = reading
        self.category = category
        self.department = department
        self.severity = severity
    }

    /// The corrected fields as `field: original → corrected`, e.g. `["severity: general → emergency"]`.
    public var changes: [String] {
        var lines: [String] = []
        if let category { lines.append("category: \(reading.category.rawValue) → \(category.rawValue)") }
        if let department { lines.append("department: \(reading.department.rawValue) → \(department.rawValue)") }
        if let severity { lines.append("severity: \(reading.severity.rawValue) → \(severity.rawValue)") }
        return lines
    }
}
