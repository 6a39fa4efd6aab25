import FirstaskClassifier
import FirstaskDesk

/// Everything a record renderer says in human language for one locale: the records' own labels plus the
/// category, department and severity names from the reply templates.
public struct RecordVocabulary: Sendable {
    public let labels: RecordLabels
    public let templates: Templates

    public init(templates: Templates, locale: ReplyLocale) {
        self.templates = templates
        labels = RecordLabels(locale)
    }

    public var locale: ReplyLocale { labels.locale }
    public subscript(_ key: String) -> String { labels[key] }

    public func category(_ category: Category) -> String { templates.render("category.\(category.rawValue)", locale) }
    public func department(_ department: Department) -> String {
        templates.render("department.\(department.rawValue)", locale)
    }
    public func severity(_ severity: Severity) -> String { templates.render("severity.\(severity.rawValue)", locale) }

    /// `王芳 (wang_fang)` for staff, `resident`/`system` for those actors, the id itself otherwise.
    public func actor(_ id: String, name: String?) -> String {
        switch id {
        case "resident", "system", "admin": return labels["actor.\(id)"]
        default: return name.map { "\($0) (\(id))" } ?? id
        }
    }

    /// A rate as a percentage with one decimal (`87.5%`), or `-` when there is nothing to divide by.
    public static func percent(_ part: Int, of whole: Int) -> String {
        guard whole > 0 else { return "-" }
        return String(format: "%.1f%%", Double(part) * 100 / Double(whole))
    }
}
