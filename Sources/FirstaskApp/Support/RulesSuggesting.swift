import FirstaskClassifier
import FirstaskDesk
import Foundation

/// What `firstask rules suggest` proposes: rules to add to the rules file so that it reads the corrected
/// messages as staff said they should be read. Pure apart from parsing rules (no I/O); it never applies
/// anything.
///
/// How it works:
/// 1. The corrections are merged per ticket (``CorrectedMessage``) and every corrected message is classified
///    with the current rules. A message the current rules still get wrong gives a *target*: its corrected
///    category, or its corrected severity when that is emergency or major. (Additions cannot lower a
///    severity, and a transfer names only a department, which no rule can target: both are reported as not
///    addressed.)
/// 2. For each target, words are counted: in the messages corrected to it (the positives) and in the
///    others — every other stored message, and the other corrected messages, whose label for the target's
///    field is not already the target (their label as corrected, else as the current rules read them; a
///    message already read as the target is not hurt by a rule for it). Chinese words are runs of 2–4
///    characters, Latin words whole words of 3 letters or more; words the current rules already fired on
///    in a positive, words starting or ending with a function character (的, 了, 在…), English function words
///    and digits are left out. Counting folds case and full-width forms, not traditional characters (the
///    classifier's own checks below are exact).
/// 3. A word's score is how many times more often it occurs among the positives than among the others
///    (with one added to the others' count): `(in positives / positives) / ((in others + 1) / (others + 1))`.
///    A score is *clear* at 3 or more when at most 2 % of the others contain the word. The best clear words
///    are taken in turn while they cover positives not covered yet, at most three per target; ties go to
///    the word in more positives, fewer others, made of rarer characters, then shorter.
/// 4. Each word becomes one rule `suggested.<target>.<n>` (`any: [word]`, a `note:` naming the corrections),
///    appended to the `rules:` section of the current file, which is otherwise copied as it is. Weights start
///    at 3 for a category (decisive on its own, see the rules file's header) and 1 for a severity, and are
///    raised (to 6 and 3) while a positive the rule fires on is still read wrongly. A word whose rule does not
///    fire on its positive (a negation before it), or that hides a keyword the current rules fired on (a
///    longer keyword hides the shorter ones inside it), is dropped for the next one. A target whose rules
///    fix none of its positives is left out.
public struct RulesSuggesting: Sendable {
    public enum Target: Hashable, Sendable, Comparable {
        case category(Category)
        case severity(Severity)

        /// `elevator`, `emergency`: the middle part of the rule ids.
        public var name: String {
            switch self {
            case let .category(category): category.rawValue
            case let .severity(severity): severity.rawValue
            }
        }

        var field: String {
            switch self {
            case .category: "category"
            case .severity: "severity"
            }
        }

        var initialWeight: Double {
            switch self {
            case .category: 3
            case .severity: 1
            }
        }

        var maximumWeight: Double {
            switch self {
            case .category: 6
            case .severity: 3
            }
        }

        public static func < (lhs: Target, rhs: Target) -> Bool {
            switch (lhs, rhs) {
            case let (.category(a), .category(b)): Category.allCases.firstIndex(of: a)! < Category.allCases.firstIndex(of: b)!
            case let (.severity(a), .severity(b)): a > b
            case (.category, .severity): true
            case (.severity, .category): false
            }
        }
    }

    /// A word and how often it occurs (in messages, not times).
    public struct Term: Sendable, Equatable {
        public var text: String
        public var inPositives: Int
        public var positives: Int
        public var inOthers: Int
        public var others: Int

        public var score: Double {
            (Double(inPositives) / Double(max(positives, 1))) / (Double(inOthers + 1) / Double(others + 1))
        }

        /// Score 3 or more, and in at most 2 % of the others.
        public var isClear: Bool { score >= 3 && Double(inOthers) <= 0.02 * Double(others) }
    }

    /// One proposed rule.
    public struct Suggestion: Sendable, Equatable {
        public var id: String
        public var target: Target
        public var weight: Double
        public var term: Term
        /// The tickets whose corrected messages contain the word.
        public var refs: [String]

        public var note: String {
            "from staff corrections of \(refs.joined(separator: ", ")): «\(term.text)» is in \(term.inPositives) of "
                + "\(term.positives) messages corrected to \(target.field) \(target.name) and \(term.inOthers) of "
                + "\(term.others) other messages (score \(String(format: "%.1f", term.score)))"
        }
    }

    /// A target and what became of it.
    public struct TargetOutcome: Sendable, Equatable {
        public var target: Target
        public var refs: [String]
        public var suggestions: [Suggestion]
        /// Why nothing is suggested, when nothing is.
        public var problem: String?
    }

    /// A corrected message no addition can fix, and why.
    public struct Unaddressed: Sendable, Equatable {
        public var ref: String
        public var reason: String
    }

    public var corrected: [CorrectedMessage]
    public var targets: [TargetOutcome]
    public var unaddressed: [Unaddressed]
    /// The complete new rules file.
    public var yaml: String
    /// The new file, parsed.
    public var rules: RuleSet
    /// Corrected messages the current rules already read as corrected, and those the new file does.
    public var rightBefore: Int
    public var rightAfter: Int

    public var suggestions: [Suggestion] { targets.flatMap(\.suggestions) }

    /// Proposes additions to `rulesYAML` (the current rules file) from `corrections`, comparing with `others`
    /// (the stored residents' messages; texts of corrected messages among them are left out). `model`, the
    /// learned component in force, is attached to the current and the proposed rules alike, so both read
    /// messages as the gateway would.
    public init(rulesYAML: String, corrections: [LabelCorrection], others: [String], model: NgramModel? = nil) throws {
        func parse(_ yaml: String) throws -> RuleSet {
            let rules = try RuleSet.parse(yaml: yaml)
            return model.map { rules.attaching($0) } ?? rules
        }
        let current = try parse(rulesYAML)
        let classifier = Classifier(rules: current)
        let corrected = CorrectedMessage.merge(corrections, rules: current)
        let readings = corrected.map { classifier.classify($0.text) }
        self.corrected = corrected
        rightBefore = zip(corrected, readings).filter { $0.isRight($1) }.count

        // 1. Targets.
        var positives: [Target: [Int]] = [:]
        var unaddressed: [Unaddressed] = []
        for (index, (message, reading)) in zip(corrected, readings).enumerated() {
            if let category = message.category, reading.category != category {
                positives[.category(category), default: []].append(index)
            }
            if let severity = message.severity, reading.severity != severity {
                if severity == .general {
                    unaddressed.append(.init(ref: message.ref, reason:
                        "severity \(reading.severity.rawValue) → general: added rules cannot lower a severity"))
                } else {
                    positives[.severity(severity), default: []].append(index)
                }
            }
            if message.category == nil, let department = message.department, reading.department != department {
                unaddressed.append(.init(ref: message.ref, reason:
                    "department \(reading.department.rawValue) → \(department.rawValue) (a transfer): no category to learn; "
                        + "`category \(message.ref) <category>` says which"))
            }
        }
        self.unaddressed = unaddressed

        // 2. The texts to compare with, and what each is (as corrected, else as the current rules read it).
        let correctedTexts = Set(corrected.map(\.text))
        var seen = Set<String>()
        var pool: [PoolText] = []
        for text in others where !correctedTexts.contains(text) && seen.insert(text).inserted {
            let labels = classifier.classify(text)
            pool.append(PoolText(text: text, category: labels.category, severity: labels.severity))
        }
        for (index, message) in corrected.enumerated() {
            pool.append(PoolText(text: message.text, category: message.category ?? readings[index].category,
                                 severity: message.severity ?? readings[index].severity, corrected: index))
        }
        let rarity = CharacterRarity(pool.map(\.text))

        // Candidate words per positive (outside what the current rules fired on).
        var candidates: [Int: [String]] = [:]
        for index in Set(positives.values.joined()) {
            candidates[index] = TermScanner.candidates(in: corrected[index].text, excluding: readings[index].spans)
        }
        var counted: [Target: [Term]] = [:]
        for (target, indices) in positives {
            let others = pool.filter { !$0.isAlready(target) && !($0.corrected.map(indices.contains) ?? false) }
            var inPositives: [String: Int] = [:]
            for index in indices {
                for term in Set(candidates[index] ?? []) { inPositives[term, default: 0] += 1 }
            }
            let inOthers = TermScanner.count(Set(inPositives.keys), in: others.map(\.text))
            counted[target] = inPositives.map { term, count in
                Term(text: term, inPositives: count, positives: indices.count, inOthers: inOthers[term] ?? 0, others: others.count)
            }.filter(\.isClear).sorted { a, b in
                if a.score != b.score { return a.score > b.score }
                if a.inPositives != b.inPositives { return a.inPositives > b.inPositives }
                if a.inOthers != b.inOthers { return a.inOthers < b.inOthers }
                let rareA = rarity.mean(a.text), rareB = rarity.mean(b.text)
                if rareA != rareB { return rareA < rareB }
                if a.text.count != b.text.count { return a.text.count < b.text.count }
                return a.text < b.text
            }
        }

        // 3–4. Choose, write, check, adjust.
        let ordered = positives.keys.sorted()
        var banned: [Target: Set<String>] = [:]
        var weights = Dictionary(uniqueKeysWithValues: ordered.map { ($0, $0.initialWeight) })
        var numbering = SuggestionNumbering(rulesYAML)
        func choose() -> [Target: [Suggestion]] {
            var numbering = numbering
            var chosen: [Target: [Suggestion]] = [:]
            for target in ordered {
                var uncovered = Set(positives[target] ?? [])
                for term in counted[target] ?? [] where !(banned[target]?.contains(term.text) ?? false) {
                    let covers = uncovered.filter { (candidates[$0] ?? []).contains(term.text) }
                    guard !covers.isEmpty else { continue }
                    uncovered.subtract(covers)
                    let refs = (positives[target] ?? []).filter { (candidates[$0] ?? []).contains(term.text) }.map { corrected[$0].ref }
                    chosen[target, default: []].append(Suggestion(
                        id: numbering.next(target), target: target, weight: weights[target] ?? target.initialWeight, term: term,
                        refs: refs))
                    if uncovered.isEmpty || chosen[target]!.count == 3 { break }
                }
            }
            return chosen
        }
        var chosen = choose()
        var fixed: [Target: Int] = [:]
        var parsed = current
        for _ in 0..<10 {
            parsed = try parse(try Self.write(rulesYAML, adding: ordered.flatMap { chosen[$0] ?? [] }))
            let candidate = Classifier(rules: parsed)
            var changed = false
            fixed = [:]
            let owners = Dictionary(uniqueKeysWithValues: chosen.values.joined().map { ($0.id, $0) })
            for target in ordered {
                var misread = false
                for index in positives[target] ?? [] {
                    let labels = candidate.classify(corrected[index].text)
                    let fired = Set(labels.rules)
                    let ours = fired.compactMap { owners[$0] }
                    if !Set(readings[index].rules).isSubset(of: fired) {
                        // A suggested keyword hides one the current rules fired on.
                        for suggestion in ours { banned[suggestion.target, default: []].insert(suggestion.term.text) }
                        changed = true
                    } else if !ours.contains(where: { $0.target == target }) {
                        // Present but not firing (negated, or hidden by a longer keyword of the rules).
                        for suggestion in chosen[target] ?? [] where (candidates[index] ?? []).contains(suggestion.term.text) {
                            banned[target, default: []].insert(suggestion.term.text)
                            changed = true
                        }
                    } else if Self.label(labels, for: target) == target {
                        fixed[target, default: 0] += 1
                    } else {
                        misread = true
                    }
                }
                if misread, !changed, let weight = weights[target], weight < target.maximumWeight {
                    weights[target] = weight + 1
                    changed = true
                }
            }
            guard changed else { break }
            chosen = choose()
        }
        // Targets whose rules fix nothing are left out; the file is written (and checked) once more without them.
        var outcomes: [TargetOutcome] = []
        var kept: [Suggestion] = []
        for target in ordered {
            let refs = (positives[target] ?? []).map { corrected[$0].ref }
            let suggestions = chosen[target] ?? []
            if suggestions.isEmpty {
                let problem = (counted[target] ?? []).isEmpty
                    ? "no word with a clear score (too few other stored messages to compare with, or every word is common in them)"
                    : "every word with a clear score hides a keyword of the rules or does not fire"
                outcomes.append(TargetOutcome(target: target, refs: refs, suggestions: [], problem: problem))
            } else if (fixed[target] ?? 0) == 0 {
                outcomes.append(TargetOutcome(target: target, refs: refs, suggestions: [], problem:
                    "rules for «\(suggestions.map(\.term.text).joined(separator: "», «"))» up to weight "
                        + "\(Self.number(target.maximumWeight)) fix none of its messages; left out"))
            } else {
                outcomes.append(TargetOutcome(target: target, refs: refs, suggestions: suggestions, problem: nil))
                kept += suggestions
            }
        }
        // Ids in the order written, without gaps left by targets left out.
        numbering = SuggestionNumbering(rulesYAML)
        for index in kept.indices { kept[index].id = numbering.next(kept[index].target) }
        for index in outcomes.indices {
            outcomes[index].suggestions = kept.filter { $0.target == outcomes[index].target }
        }
        targets = outcomes
        yaml = try Self.write(rulesYAML, adding: kept)
        rules = try parse(yaml)
        let final = Classifier(rules: rules)
        rightAfter = corrected.filter { $0.isRight(final.classify($0.text)) }.count
    }

    static func label(_ labels: Classification, for target: Target) -> Target {
        switch target {
        case .category: .category(labels.category)
        case .severity: .severity(labels.severity)
        }
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    // MARK: Writing the file

    /// The rules file `yaml` with `suggestions` appended to its `rules:` section (before the next top-level key,
    /// if any); everything else is kept byte for byte. Throws when the file has no block `rules:` section.
    public static func write(_ yaml: String, adding suggestions: [Suggestion]) throws -> String {
        guard !suggestions.isEmpty else { return yaml }
        var lines = yaml.components(separatedBy: "\n")
        guard let start = lines.firstIndex(where: { $0.hasPrefix("rules:") }) else {
            throw SuggestError("the rules file has no top-level `rules:` section")
        }
        let rest = lines[start].dropFirst("rules:".count).trimmingCharacters(in: .whitespaces)
        guard rest.isEmpty || rest.hasPrefix("#") else {
            throw SuggestError("the rules file's `rules:` section is written inline; write it as a block list to add to it")
        }
        var end = lines.count
        for index in (start + 1)..<lines.count {
            let line = lines[index]
            if let first = line.first, first != " ", first != "#", first != "-", !line.hasPrefix("\t") {
                end = index
                break
            }
        }
        // Before the blank lines that lead into the next section.
        while end > start + 1, lines[end - 1].trimmingCharacters(in: .whitespaces).isEmpty { end -= 1 }
        // Items indented like the file's own.
        let indent = lines[(start + 1)..<end].first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("- ") }
            .map { String($0.prefix { $0 == " " }) } ?? "  "
        var block = ["", "\(indent)# ---------------------------------------------------------------- suggested",
                     "\(indent)# Proposed by `firstask rules suggest` from staff corrections; review each before putting it in force."]
        for suggestion in suggestions {
            block.append("\(indent)- id: \(suggestion.id)")
            block.append("\(indent)  \(suggestion.target.field): \(suggestion.target.name)")
            block.append("\(indent)  weight: \(number(suggestion.weight))")
            block.append("\(indent)  note: \(quoted(suggestion.note))")
            block.append("\(indent)  any: [\(quoted(suggestion.term.text))]")
        }
        lines.insert(contentsOf: block, at: end)
        var text = lines.joined(separator: "\n")
        if !text.hasSuffix("\n") { text += "\n" }
        return text
    }

    /// A YAML double-quoted scalar (JSON escaping is valid YAML).
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 { result += String(format: "\\u%04x", scalar.value) } else { result.unicodeScalars.append(scalar) }
            }
        }
        return result + "\""
    }
}

public struct SuggestError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// One text to compare with and its label for each field (as corrected, else as the current rules read it).
struct PoolText {
    var text: String
    var category: Category
    var severity: Severity
    /// The index of the corrected message, for corrected texts.
    var corrected: Int?

    /// Whether a rule for `target` cannot change this text's label: it is already the target (or, for a
    /// severity, as severe or more).
    func isAlready(_ target: RulesSuggesting.Target) -> Bool {
        switch target {
        case let .category(value): category == value
        case let .severity(value): severity >= value
        }
    }
}

/// Next free `suggested.<target>.<n>` numbers: after the highest already in the file.
struct SuggestionNumbering {
    var next: [String: Int] = [:]

    init(_ yaml: String) {
        for line in yaml.split(separator: "\n") {
            let trimmed = line.drop { $0 == " " || $0 == "-" }.replacingOccurrences(of: "\"", with: "")
            guard trimmed.hasPrefix("id:") else { continue }
            let id = trimmed.dropFirst(3).trimmingCharacters(in: .whitespaces)
            let parts = id.split(separator: ".")
            guard parts.count == 3, parts[0] == "suggested", let number = Int(parts[2]) else { continue }
            next[String(parts[1])] = max(next[String(parts[1])] ?? 1, number + 1)
        }
    }

    mutating func next(_ target: RulesSuggesting.Target) -> String {
        let number = next[target.name] ?? 1
        next[target.name] = number + 1
        return "suggested.\(target.name).\(number)"
    }
}

/// How many texts contain each character: words of rarer characters are preferred among equal scores.
struct CharacterRarity {
    var counts: [Unicode.Scalar: Int] = [:]

    init(_ texts: [String]) {
        for text in texts {
            for scalar in Set(TermScanner.fold(text)) { counts[scalar, default: 0] += 1 }
        }
    }

    func mean(_ term: String) -> Double {
        let scalars = Array(term.unicodeScalars)
        guard !scalars.isEmpty else { return 0 }
        return Double(scalars.reduce(0) { $0 + (counts[$1] ?? 0) }) / Double(scalars.count)
    }
}

/// Words in messages: Chinese runs of 2–4 characters and Latin words, on case- and width-folded text.
enum TermScanner {
    /// Characters a Chinese word of a suggestion neither starts nor ends with: particles, pronouns and the
    /// markers of addresses (栋, 号, 室, 层), which say nothing about the matter.
    static let edgeCharacters: Set<Unicode.Scalar> = Set("的了是在我你他她它们吗呢吧啊呀嘛哦哈这那就都也还和与及或把给很太又个您请栋幢号室层".unicodeScalars)

    /// English function words and address words.
    static let stopWords: Set<String> = [
        "the", "and", "for", "with", "this", "that", "these", "those", "there", "their", "they", "them", "have", "has",
        "had", "was", "were", "are", "is", "been", "being", "our", "ours", "your", "yours", "you", "from", "into", "onto",
        "but", "all", "can", "could", "would", "should", "will", "shall", "just", "very", "please", "thanks", "thank",
        "hello", "dear", "what", "when", "where", "which", "who", "why", "how", "also", "any", "some", "than", "then",
        "too", "out", "off", "over", "under", "about", "again", "more", "most", "much", "many", "such", "only", "own",
        "same", "here", "now", "one", "two", "get", "got", "its", "his", "her", "him", "she", "not", "don", "isn",
        "flat", "block", "floor", "room", "unit", "building", "tower", "apt", "apartment", "level",
    ]

    /// Lower-case ASCII, full-width ASCII as half-width, the ideographic space as a space; every other
    /// character as it is, one for one (so positions stay those of the original text).
    static func fold(_ text: String) -> [Unicode.Scalar] {
        text.unicodeScalars.map { scalar in
            switch scalar.value {
            case 0x41...0x5A: Unicode.Scalar(scalar.value + 0x20)!
            case 0xFF21...0xFF3A: Unicode.Scalar(scalar.value - 0xFEE0 + 0x20)!
            case 0xFF01...0xFF5E: Unicode.Scalar(scalar.value - 0xFEE0)!
            case 0x3000: " "
            default: scalar
            }
        }
    }

    static func isChinese(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0xF900...0xFAFF, 0x20000...0x2EBEF: true
        default: false
        }
    }

    static func isLetter(_ scalar: Unicode.Scalar) -> Bool { (0x61...0x7A).contains(scalar.value) }

    /// Every word of `text` (with its position), without filtering: Chinese 2–4-grams, Latin words.
    static func words(_ scalars: [Unicode.Scalar], _ body: (String, Range<Int>) -> Void) {
        var index = 0
        while index < scalars.count {
            if isChinese(scalars[index]) {
                var end = index
                while end < scalars.count, isChinese(scalars[end]) { end += 1 }
                for start in index..<end {
                    for length in 2...4 where start + length <= end {
                        var word = String.UnicodeScalarView()
                        word.append(contentsOf: scalars[start..<(start + length)])
                        body(String(word), start..<(start + length))
                    }
                }
                index = end
            } else if isLetter(scalars[index]) {
                var end = index
                while end < scalars.count, isLetter(scalars[end]) { end += 1 }
                var word = String.UnicodeScalarView()
                word.append(contentsOf: scalars[index..<end])
                body(String(word), index..<end)
                index = end
            } else {
                index += 1
            }
        }
    }

    /// The words of `text` a suggestion may use, first occurrence first, none overlapping `spans` (where the
    /// current rules found their evidence).
    static func candidates(in text: String, excluding spans: [MatchedSpan]) -> [String] {
        let scalars = fold(text)
        var covered = Set<Int>()
        for span in spans { covered.formUnion(span.start..<span.end) }
        var result: [String] = []
        var seen = Set<String>()
        words(scalars) { word, range in
            guard !range.contains(where: covered.contains) else { return }
            let first = scalars[range.lowerBound]
            if isChinese(first) {
                guard !edgeCharacters.contains(first), !edgeCharacters.contains(scalars[range.upperBound - 1]) else { return }
            } else {
                guard word.unicodeScalars.count >= 3, !stopWords.contains(word) else { return }
            }
            if seen.insert(word).inserted { result.append(word) }
        }
        return result
    }

    /// For each of `terms`, how many of `texts` contain it (a Chinese word anywhere, a Latin word as a word).
    static func count(_ terms: Set<String>, in texts: [String]) -> [String: Int] {
        var counts: [String: Int] = [:]
        for text in texts {
            var found = Set<String>()
            words(fold(text)) { word, _ in
                if terms.contains(word) { found.insert(word) }
            }
            for word in found { counts[word, default: 0] += 1 }
        }
        return counts
    }
}
