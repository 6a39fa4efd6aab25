import FirstaskClassifier
import FirstaskDesk
import Foundation

/// A ticket staff corrected, with the labels its message should have had: every correction of the ticket
/// merged, the later one winning for a field.
public struct CorrectedMessage: Sendable, Equatable {
    public var ref: String
    /// The text the classifier read (the latest correction's).
    public var text: String
    /// The corrected values; `nil` where no correction says anything. A category implies its department, so
    /// `department` is only set by a transfer that came after any category correction.
    public var category: Category?
    public var department: Department?
    public var severity: Severity?
    /// The corrections merged here, oldest first.
    public var corrections: [LabelCorrection]

    public init(ref: String, text: String, category: Category? = nil, department: Department? = nil,
                severity: Severity? = nil, corrections: [LabelCorrection] = []) {
        self.ref = ref
        self.text = text
        self.category = category
        self.department = department
        self.severity = severity
        self.corrections = corrections
    }

    /// Whether `labels` agree with every corrected field (a category's department included).
    public func isRight(_ labels: Classification) -> Bool {
        if let category, labels.category != category { return false }
        if let department, labels.department != department { return false }
        if let severity, labels.severity != severity { return false }
        return true
    }

    /// The corrections grouped by ticket, in the order of each ticket's first correction. `rules` says which
    /// department a category routes to: a transfer to that department after a category correction adds
    /// nothing; a transfer elsewhere says the category was wrong too, so only the department stands.
    public static func merge(_ corrections: [LabelCorrection], rules: RuleSet) -> [CorrectedMessage] {
        var order: [String] = []
        var merged: [String: CorrectedMessage] = [:]
        for correction in corrections.sorted(by: { $0.at < $1.at }) {
            var message = merged[correction.ticketRef] ?? {
                order.append(correction.ticketRef)
                return CorrectedMessage(ref: correction.ticketRef, text: correction.reading.text)
            }()
            message.text = correction.reading.text
            message.corrections.append(correction)
            switch correction.kind {
            case .severity:
                message.severity = correction.severity ?? message.severity
            case .category:
                if let category = correction.category {
                    message.category = category
                    message.department = nil
                }
            case .transfer:
                if let department = correction.department {
                    if let category = message.category, rules.department(for: category) == department { break }
                    message.category = nil
                    message.department = department
                }
            }
            merged[correction.ticketRef] = message
        }
        return order.compactMap { merged[$0] }
    }
}

/// What `firstask rules corrections` prints: one block per correction, oldest first.
public enum CorrectionListing {
    /// `YYYY-MM-DD` → local midnight of that day in `timeZone`; `nil` for anything else.
    public static func day(_ text: String, timeZone: TimeZone) -> Date? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1...12).contains(month), (1...31).contains(day), year >= 1970 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        guard let date = calendar.date(from: DateComponents(year: year, month: month, day: day)),
              calendar.component(.day, from: date) == day else { return nil }
        return date
    }

    /// The listing: a heading with the counts, then per correction the ticket, when, who and what kind; the
    /// text the classifier read; its labels and rules version; the rules that fired; and each corrected
    /// field as `original → corrected`. Times in the roster's time zone.
    public static func render(_ corrections: [LabelCorrection], roster: Roster, since: String?) -> String {
        let tickets = Set(corrections.map(\.ticketRef)).count
        var lines = ["\(corrections.count) correction\(corrections.count == 1 ? "" : "s") of \(tickets) ticket\(tickets == 1 ? "" : "s")"
            + (since.map { " since \($0)" } ?? "")]
        for correction in corrections {
            let reading = correction.reading
            let who = roster.member(id: correction.by).map { "\($0.name) (\($0.id))" } ?? correction.by
            lines.append("")
            lines.append("\(correction.ticketRef)  \(RecordFormat.time(correction.at, roster.timeZone))  \(who)  \(correction.kind.rawValue)")
            lines.append("  text:       \(reading.text.split(whereSeparator: \.isNewline).joined(separator: " / "))")
            lines.append("  read as:    \(reading.intent.rawValue) / \(reading.category.rawValue) / \(reading.department.rawValue) / "
                + "\(reading.severity.rawValue) (intent / category / department / severity; rules \(reading.rulesVersion))")
            lines.append("  fired:      \(reading.rules.isEmpty ? "none" : reading.rules.joined(separator: ", "))")
            for change in correction.changes {
                lines.append("  corrected:  \(change)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
