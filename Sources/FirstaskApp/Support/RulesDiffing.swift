import FirstaskChannels
import FirstaskClassifier
import Foundation

/// What `firstask rules diff` reports: the messages whose labels differ between two rule sets, computed
/// without any I/O so it can be tested on its own.
public struct RulesDiffing: Sendable {
    /// A label field that can change between two rule sets, in report order.
    public enum Field: String, Sendable, CaseIterable, Equatable {
        case intent, category, department, severity, location
    }

    /// One changed field of one message: the value under the old rules and under the new ones.
    public struct FieldChange: Sendable, Equatable {
        public var field: Field
        public var old: String
        public var new: String

        public init(field: Field, old: String, new: String) {
            self.field = field
            self.old = old
            self.new = new
        }
    }

    /// One message whose labels differ.
    public struct Change: Sendable, Equatable {
        public var id: String
        public var text: String
        public var fields: [FieldChange]

        public init(id: String, text: String, fields: [FieldChange]) {
            self.id = id
            self.text = text
            self.fields = fields
        }
    }

    /// How many messages were compared.
    public var compared: Int
    /// The changed messages, in input order.
    public var changes: [Change]

    /// Classifies every message with both classifiers and keeps those whose labels differ.
    public init(old: Classifier, new: Classifier, messages: [(id: String, text: String)]) {
        compared = messages.count
        changes = messages.compactMap { message in
            let fields = Self.differences(MessageLabels(old.classify(message.text)),
                                          MessageLabels(new.classify(message.text)))
            return fields.isEmpty ? nil : Change(id: message.id, text: message.text, fields: fields)
        }
    }

    /// The fields that differ between two sets of labels, in `Field` order.
    public static func differences(_ old: MessageLabels, _ new: MessageLabels) -> [FieldChange] {
        var result: [FieldChange] = []
        if old.intent != new.intent { result.append(.init(field: .intent, old: old.intent.rawValue, new: new.intent.rawValue)) }
        if old.category != new.category {
            result.append(.init(field: .category, old: old.category.rawValue, new: new.category.rawValue))
        }
        if old.department != new.department {
            result.append(.init(field: .department, old: old.department.rawValue, new: new.department.rawValue))
        }
        if old.severity != new.severity {
            result.append(.init(field: .severity, old: old.severity.rawValue, new: new.severity.rawValue))
        }
        if old.location != new.location {
            result.append(.init(field: .location, old: RulesEvaluation.Sample.show(old.location),
                                new: RulesEvaluation.Sample.show(new.location)))
        }
        return result
    }

    /// Changed messages per field, every field listed (zero when nothing changed).
    public var countsPerField: [(field: Field, count: Int)] {
        Field.allCases.map { field in (field, changes.filter { $0.fields.contains { $0.field == field } }.count) }
    }

    /// The report `rules diff` prints, given both rule versions.
    public func report(oldVersion: String, newVersion: String) -> String {
        var lines = ["rules diff: old version \(oldVersion) → new version \(newVersion)",
                     "compared \(compared) message\(compared == 1 ? "" : "s"); \(changes.count) changed"]
        for change in changes {
            lines.append("")
            lines.append("\(change.id):")
            for field in change.fields {
                lines.append("  \(field.field.rawValue): \(field.old) → \(field.new)")
            }
            lines.append("  text: \(change.text.replacingOccurrences(of: "\n", with: " "))")
        }
        lines.append("")
        lines.append("changes per field:")
        for (field, count) in countsPerField {
            lines.append("  \(field.rawValue): \(count)")
        }
        return lines.joined(separator: "\n")
    }

    /// Reads `{"id", "text"}` JSON lines (ids may be strings or numbers; other keys are ignored).
    /// Blank lines are skipped; throws `CorpusError` for the first bad line.
    public static func messages(jsonLines text: String) throws -> [(id: String, text: String)] {
        var result: [(id: String, text: String)] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if rawLine.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { continue }
            guard let object = try? StrictJSON.object(rawLine.utf8) else {
                throw CorpusError(line: index + 1, problem: "not a JSON object")
            }
            let id: String
            switch object["id"] {
            case let value as String: id = value
            case let value as NSNumber: id = value.stringValue
            default: throw CorpusError(line: index + 1, problem: "no \"id\" string or number")
            }
            guard let value = object["text"] as? String else {
                throw CorpusError(line: index + 1, problem: "no \"text\" string")
            }
            result.append((id, value))
        }
        return result
    }
}
