import FirstaskChannels
import FirstaskClassifier
import Foundation

/// The labels of one message that `rules eval` compares: what the corpus says or what the classifier said.
public struct MessageLabels: Sendable, Equatable {
    public var intent: Intent
    public var category: Category
    public var department: Department
    public var severity: Severity
    public var location: Location?

    public init(intent: Intent, category: Category, department: Department, severity: Severity, location: Location?) {
        self.intent = intent
        self.category = category
        self.department = department
        self.severity = severity
        self.location = location
    }

    /// The labels of a classifier verdict.
    public init(_ classification: Classification) {
        self.init(intent: classification.intent, category: classification.category,
                  department: classification.department, severity: classification.severity,
                  location: classification.location)
    }
}

/// One labelled message of a corpus file (JSON lines as in `Tests/FirstaskTests/Fixtures/dev.jsonl`).
public struct CorpusEntry: Sendable {
    public var id: String
    public var text: String
    public var intent: Intent
    public var category: Category
    public var severity: Severity
    public var location: Location?

    /// The expected labels, with the department the category routes to under `rules`.
    public func expected(rules: RuleSet) -> MessageLabels {
        MessageLabels(intent: intent, category: category, department: rules.department(for: category),
                      severity: severity, location: location)
    }
}

/// A corpus line that cannot be used; the description names the line and the problem, never the text.
public struct CorpusError: Error, CustomStringConvertible {
    /// 1-based line number in the corpus file.
    public var line: Int
    public var problem: String

    public var description: String { "line \(line): \(problem)" }
}

/// Reads labelled corpora: one JSON object per line with `id`, `text`, `intent`, `category`, `severity` and
/// `location` (an object with any of `building`, `unit`, `room`, or null). Blank lines are skipped.
public enum Corpus {
    /// Parses corpus text; throws `CorpusError` for the first bad line.
    public static func parse(_ text: String) throws -> [CorpusEntry] {
        var entries: [CorpusEntry] = []
        var seen: [String: Int] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = index + 1
            if rawLine.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { continue }
            let entry = try parseLine(String(rawLine), line: line)
            if let first = seen[entry.id] {
                throw CorpusError(line: line, problem: "id '\(entry.id)' was already used on line \(first)")
            }
            seen[entry.id] = line
            entries.append(entry)
        }
        return entries
    }

    /// Only texts, for benchmarks: each line needs a `text` string and nothing else.
    public static func texts(_ text: String) throws -> [String] {
        var texts: [String] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if rawLine.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { continue }
            guard let object = try? StrictJSON.object(rawLine.utf8) else {
                throw CorpusError(line: index + 1, problem: "not a JSON object")
            }
            guard let value = object["text"] as? String else {
                throw CorpusError(line: index + 1, problem: "no \"text\" string")
            }
            texts.append(value)
        }
        return texts
    }

    static func parseLine(_ rawLine: String, line: Int) throws -> CorpusEntry {
        guard let object = try? StrictJSON.object(rawLine.utf8) else {
            throw CorpusError(line: line, problem: "not a JSON object")
        }
        func string(_ key: String) throws -> String {
            guard let value = object[key] as? String else {
                throw CorpusError(line: line, problem: "no \"\(key)\" string")
            }
            return value
        }
        func label<T: RawRepresentable & CaseIterable>(_ key: String, _: T.Type) throws -> T where T.RawValue == String {
            let value = try string(key)
            guard let parsed = T(rawValue: value) else {
                throw CorpusError(line: line, problem: "\"\(key)\" is '\(value)'; expected one of "
                    + T.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return parsed
        }
        var location: Location?
        switch object["location"] {
        case nil, is NSNull:
            location = nil
        case let fields as [String: Any]:
            var place = Location()
            for (key, value) in fields {
                guard let text = value as? String else {
                    throw CorpusError(line: line, problem: "location.\(key) must be a string")
                }
                switch key {
                case "building": place.building = text
                case "unit": place.unit = text
                case "room": place.room = text
                default: throw CorpusError(line: line, problem: "unknown key 'location.\(key)'; expected building, unit, room")
                }
            }
            location = place
        default:
            throw CorpusError(line: line, problem: "\"location\" must be an object or null")
        }
        return CorpusEntry(id: try string("id"), text: try string("text"), intent: try label("intent", Intent.self),
                           category: try label("category", Category.self), severity: try label("severity", Severity.self),
                           location: location)
    }
}

/// Quality figures of the classifier over a labelled corpus, computed from (expected, predicted) pairs
/// without any I/O, so the math can be tested on its own.
public struct RulesEvaluation: Sendable {
    /// One message: its id and both sets of labels.
    public struct Sample: Sendable {
        public var id: String
        public var expected: MessageLabels
        public var predicted: MessageLabels

        public init(id: String, expected: MessageLabels, predicted: MessageLabels) {
            self.id = id
            self.expected = expected
            self.predicted = predicted
        }

        /// The fields that differ, as `field expected→predicted`.
        public var differences: [String] {
            var result: [String] = []
            if expected.intent != predicted.intent { result.append("intent \(expected.intent.rawValue)→\(predicted.intent.rawValue)") }
            if expected.category != predicted.category { result.append("category \(expected.category.rawValue)→\(predicted.category.rawValue)") }
            if expected.department != predicted.department { result.append("department \(expected.department.rawValue)→\(predicted.department.rawValue)") }
            if expected.severity != predicted.severity { result.append("severity \(expected.severity.rawValue)→\(predicted.severity.rawValue)") }
            if expected.location != predicted.location {
                result.append("location \(Self.show(expected.location))→\(Self.show(predicted.location))")
            }
            return result
        }

        static func show(_ location: Location?) -> String {
            guard let location else { return "none" }
            return "\(location.building ?? "-")/\(location.unit ?? "-")/\(location.room ?? "-")"
        }
    }

    /// Precision and recall of one class. A ratio with nothing to divide by is nil (shown as "n/a").
    public struct ClassScore: Sendable, Equatable {
        public var label: String
        /// Messages whose expected label is this class.
        public var support: Int
        /// Messages the classifier gave this class.
        public var predictedCount: Int
        /// Messages both expected and predicted as this class.
        public var truePositives: Int

        public var precision: Double? { RulesEvaluation.ratio(truePositives, predictedCount) }
        public var recall: Double? { RulesEvaluation.ratio(truePositives, support) }
    }

    /// One non-zero off-diagonal cell of the category confusion matrix.
    public struct Confusion: Sendable, Equatable {
        public var expected: Category
        public var predicted: Category
        public var count: Int

        public init(expected: Category, predicted: Category, count: Int) {
            self.expected = expected
            self.predicted = predicted
            self.count = count
        }
    }

    /// The minimum figures `rules eval` requires; each is a fraction in 0...1.
    public struct Thresholds: Sendable {
        public var category = 0.95
        public var intent = 0.92
        public var emergencyRecall = 1.0
        public var emergencyPrecision = 0.9
        public var majorRecall = 0.95
        public var majorOrWorseRecall = 0.9
        public var staffConductRecall = 0.9
        public var location = 0.95

        public init() {}
    }

    public var samples: [Sample]

    public init(samples: [Sample]) {
        self.samples = samples
    }

    /// Classifies every corpus entry with `classifier` and pairs the verdict with the expected labels.
    public init(corpus: [CorpusEntry], classifier: Classifier) {
        self.init(samples: corpus.map { entry in
            Sample(id: entry.id, expected: entry.expected(rules: classifier.rules),
                   predicted: MessageLabels(classifier.classify(entry.text)))
        })
    }

    static func ratio(_ numerator: Int, _ denominator: Int) -> Double? {
        denominator == 0 ? nil : Double(numerator) / Double(denominator)
    }

    private func accuracy(_ same: (MessageLabels, MessageLabels) -> Bool) -> Double? {
        Self.ratio(samples.filter { same($0.expected, $0.predicted) }.count, samples.count)
    }

    public var intentAccuracy: Double? { accuracy { $0.intent == $1.intent } }
    public var categoryAccuracy: Double? { accuracy { $0.category == $1.category } }
    public var departmentAccuracy: Double? { accuracy { $0.department == $1.department } }
    public var severityAccuracy: Double? { accuracy { $0.severity == $1.severity } }
    /// Building, unit and room all equal; no location expected and none found counts as a match.
    public var locationMatchRate: Double? { accuracy { $0.location == $1.location } }

    private func scores<T: CaseIterable & RawRepresentable & Equatable>(_ field: KeyPath<MessageLabels, T>) -> [ClassScore]
    where T.RawValue == String {
        T.allCases.map { value in
            ClassScore(
                label: value.rawValue,
                support: samples.filter { $0.expected[keyPath: field] == value }.count,
                predictedCount: samples.filter { $0.predicted[keyPath: field] == value }.count,
                truePositives: samples.filter { $0.expected[keyPath: field] == value && $0.predicted[keyPath: field] == value }.count)
        }
    }

    public var intentScores: [ClassScore] { scores(\.intent) }
    public var categoryScores: [ClassScore] { scores(\.category) }
    public var severityScores: [ClassScore] { scores(\.severity) }

    private func severityScore(_ severity: Severity) -> ClassScore {
        severityScores.first { $0.label == severity.rawValue }!
    }

    public var emergencyRecall: Double? { severityScore(.emergency).recall }
    public var emergencyPrecision: Double? { severityScore(.emergency).precision }
    /// Expected-major messages the classifier called major (an emergency verdict does not count).
    public var majorRecall: Double? { severityScore(.major).recall }

    /// Expected major-or-emergency messages the classifier gave major or emergency: the messages that must
    /// reach a head or the control room, whichever of the two it called them.
    public var majorOrWorseRecall: Double? {
        let serious = samples.filter { $0.expected.severity >= .major }
        return Self.ratio(serious.filter { $0.predicted.severity >= .major }.count, serious.count)
    }

    private var staffConductScore: ClassScore { categoryScores.first { $0.label == Category.staffConduct.rawValue }! }

    /// Conduct complaints the classifier routed to management rather than to the accused's own department.
    public var staffConductRecall: Double? { staffConductScore.recall }

    /// Off-diagonal cells of the category confusion matrix, largest first.
    public var categoryConfusions: [Confusion] {
        var counts: [Category: [Category: Int]] = [:]
        for sample in samples where sample.expected.category != sample.predicted.category {
            counts[sample.expected.category, default: [:]][sample.predicted.category, default: 0] += 1
        }
        let order = Dictionary(uniqueKeysWithValues: Category.allCases.enumerated().map { ($1, $0) })
        return counts.flatMap { expected, row in
            row.map { Confusion(expected: expected, predicted: $0.key, count: $0.value) }
        }.sorted {
            ($1.count, order[$0.expected]!, order[$0.predicted]!) < ($0.count, order[$1.expected]!, order[$1.predicted]!)
        }
    }

    /// Samples where any label differs, in corpus order.
    public var misclassified: [Sample] { samples.filter { !$0.differences.isEmpty } }

    /// Each threshold not met, as `name figure < minimum`; empty when all are met. A figure that cannot be
    /// computed (no messages of that class) does not fail.
    public func failures(_ thresholds: Thresholds) -> [String] {
        let checks: [(String, Double?, Double)] = [
            ("category accuracy", categoryAccuracy, thresholds.category),
            ("intent accuracy", intentAccuracy, thresholds.intent),
            ("emergency recall", emergencyRecall, thresholds.emergencyRecall),
            ("emergency precision", emergencyPrecision, thresholds.emergencyPrecision),
            ("major recall", majorRecall, thresholds.majorRecall),
            ("major-or-worse recall", majorOrWorseRecall, thresholds.majorOrWorseRecall),
            ("staff-conduct recall", staffConductRecall, thresholds.staffConductRecall),
            ("location match", locationMatchRate, thresholds.location),
        ]
        return checks.compactMap { name, figure, minimum in
            guard let figure, figure < minimum else { return nil }
            return "\(name) \(Self.percent(figure)) < \(Self.percent(minimum))"
        }
    }

    static func percent(_ value: Double?) -> String {
        guard let value else { return "n/a" }
        return String(format: "%.1f%%", value * 100)
    }

    private func counted(_ value: Double?, _ field: (MessageLabels, MessageLabels) -> Bool) -> String {
        "\(Self.percent(value)) (\(samples.filter { field($0.expected, $0.predicted) }.count)/\(samples.count))"
    }

    /// The human-readable report `rules eval` prints. Lists message ids, never message texts.
    public func report() -> String {
        var lines: [String] = []
        lines.append("messages: \(samples.count)")
        lines.append("")
        lines.append("accuracy")
        lines.append("  intent      \(counted(intentAccuracy) { $0.intent == $1.intent })")
        lines.append("  category    \(counted(categoryAccuracy) { $0.category == $1.category })")
        lines.append("  department  \(counted(departmentAccuracy) { $0.department == $1.department })")
        lines.append("  severity    \(counted(severityAccuracy) { $0.severity == $1.severity })")
        lines.append("  location    \(counted(locationMatchRate) { $0.location == $1.location }) exact match")
        lines.append("")
        let emergency = severityScore(.emergency), major = severityScore(.major)
        lines.append("severity")
        lines.append("  emergency recall     \(Self.percent(emergencyRecall)) (\(emergency.truePositives)/\(emergency.support))")
        lines.append("  emergency precision  \(Self.percent(emergencyPrecision)) (\(emergency.truePositives)/\(emergency.predictedCount))")
        lines.append("  major recall         \(Self.percent(majorRecall)) (\(major.truePositives)/\(major.support))")
        let serious = samples.filter { $0.expected.severity >= .major }
        let seriousFound = serious.filter { $0.predicted.severity >= .major }.count
        lines.append("  major-or-worse recall \(Self.percent(majorOrWorseRecall)) (\(seriousFound)/\(serious.count))")
        let conduct = staffConductScore
        lines.append("  staff-conduct recall \(Self.percent(staffConductRecall)) (\(conduct.truePositives)/\(conduct.support)), precision \(Self.percent(conduct.precision))")
        for (title, table) in [("intent", intentScores), ("category", categoryScores), ("severity", severityScores)] {
            lines.append("")
            lines.append("\(title): precision / recall (expected, predicted)")
            let width = table.map(\.label.count).max() ?? 0
            for score in table {
                let name = score.label.padding(toLength: width, withPad: " ", startingAt: 0)
                lines.append("  \(name)  \(Self.percent(score.precision).leftPad(6)) / \(Self.percent(score.recall).leftPad(6))  (\(score.support), \(score.predictedCount))")
            }
        }
        lines.append("")
        let confusions = categoryConfusions
        lines.append("category confusions (expected → predicted: count)\(confusions.isEmpty ? ": none" : "")")
        for cell in confusions {
            lines.append("  \(cell.expected.rawValue) → \(cell.predicted.rawValue): \(cell.count)")
        }
        lines.append("")
        let wrong = misclassified
        lines.append("misclassified: \(wrong.count)")
        for sample in wrong {
            lines.append("  \(sample.id): \(sample.differences.joined(separator: ", "))")
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    fileprivate func leftPad(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
