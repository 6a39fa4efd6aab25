import Yams

/// Reads `rules.yaml` into a ``RuleSet``: checks every key and value, resolves groups, normalises and
/// registers keywords. Every error names the key or rule id and the line.
struct RuleSetParser {
    let yaml: String
    private var matcher = KeywordMatcher.Builder()
    private var negators: Set<Int32> = []
    private var groups: [String: [Int32]] = [:]

    init(yaml: String) {
        self.yaml = yaml
    }

    private static let topLevelKeys: Set<String> = ["schema", "settings", "categories", "intents", "groups", "ignore", "rules"]

    mutating func parse() throws -> RuleSet {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                throw ClassifierError(.missingKey, "the file is empty; expected the keys categories and rules")
            }
            root = node
        } catch let error as ClassifierError {
            throw error
        } catch {
            let syntax = YAMLSyntaxError(error)
            throw ClassifierError(.invalidYAML, "not valid YAML: \(syntax.problem)", line: syntax.line, column: syntax.column)
        }
        let top = try mapping(root, "the top level")
        for (key, _) in top where !Self.topLevelKeys.contains(key) {
            throw ClassifierError(.unknownKey, "unknown top-level key '\(key)'; expected one of \(Self.topLevelKeys.sorted().joined(separator: ", "))", line: top.line(of: key))
        }
        if let schema = top["schema"], try string(schema, "schema") != "1" {
            throw ClassifierError(.invalidValue, "schema \(schema.string ?? "?") is not supported; this build reads schema 1", line: schema.mark?.line)
        }

        let settings = try parseSettings(top["settings"])
        guard let categoriesNode = top["categories"] else {
            throw ClassifierError(.missingKey, "missing key 'categories' (the category → department table)")
        }
        let categories = try parseCategories(categoriesNode)
        let intents = try parseIntents(top["intents"])
        if let groupsNode = top["groups"] { try parseGroups(groupsNode) }
        if let ignoreNode = top["ignore"] {
            // Ignored phrases only need to be in the trie: as maximal hits they hide shorter keywords.
            for (word, line) in try stringList(ignoreNode, "ignore") {
                _ = try keyword(word, line: line, context: "ignore")
            }
        }
        guard let rulesNode = top["rules"] else {
            throw ClassifierError(.missingKey, "missing key 'rules'")
        }
        let rules = try parseRules(rulesNode)

        var isNegator = [Bool](repeating: false, count: matcher.count)
        for id in negators { isNegator[Int(id)] = true }
        var postings = [[RuleSet.Posting]](repeating: [], count: matcher.count)
        var always: [Int32] = []
        for (index, rule) in rules.enumerated() {
            for (keyword, condition) in rule.postings {
                postings[Int(keyword)].append(RuleSet.Posting(rule: Int32(index), condition: condition))
            }
            if rule.rule.required == 0 { always.append(Int32(index)) }
        }
        return RuleSet(
            version: RuleSet.fnv1a64(yaml),
            categories: Category.allCases.compactMap { categories[$0] },
            intents: Intent.allCases.map { intents[$0] ?? RuleSet.IntentConfig() },
            settings: settings,
            matcher: matcher.build(),
            isNegator: isNegator,
            rules: rules.map(\.rule),
            ruleIDs: rules.map(\.rule.id),
            cores: rules.map { RuleSet.RuleCore(required: $0.rule.required, negatable: $0.rule.negatable, hasNear: $0.rule.near != nil,
                                                hasRegex: $0.rule.regex != nil, weight: $0.rule.weight, target: $0.rule.target) },
            triggers: RuleSet.Triggers(postings: postings, always: always)
        )
    }

    // MARK: - Sections

    private mutating func parseSettings(_ node: Node?) throws -> RuleSet.Settings {
        var settings = RuleSet.Settings()
        guard let node else { return settings }
        let map = try mapping(node, "settings")
        for (key, value) in map {
            switch key {
            case "negation":
                let negation = try mapping(value, "settings.negation")
                for (negationKey, negationValue) in negation {
                    switch negationKey {
                    case "words":
                        for (word, line) in try stringList(negationValue, "settings.negation.words") {
                            negators.insert(try keyword(word, line: line, context: "settings.negation.words"))
                        }
                    case "window":
                        settings.negationWindow = try int(negationValue, "settings.negation.window", range: 1...20)
                    default:
                        throw ClassifierError(.unknownKey, "unknown key 'settings.negation.\(negationKey)'; expected words, window", line: negation.line(of: negationKey))
                    }
                }
            case "category_intent_weight":
                settings.categoryIntentWeight = try number(value, "settings.category_intent_weight")
            case "severity_threshold":
                settings.severityThreshold = try number(value, "settings.severity_threshold")
            case "intent_order":
                let order = try stringList(value, "settings.intent_order").map { try label(Intent.self, $0.0, "settings.intent_order", line: $0.1) }
                guard Set(order).count == Intent.allCases.count, order.count == Intent.allCases.count else {
                    throw ClassifierError(.invalidValue, "settings.intent_order must list each intent exactly once: \(Intent.allCases.map(\.rawValue).joined(separator: ", "))", line: value.mark?.line)
                }
                settings.intentOrder = order
            default:
                throw ClassifierError(.unknownKey, "unknown key 'settings.\(key)'; expected negation, category_intent_weight, severity_threshold, intent_order", line: map.line(of: key))
            }
        }
        return settings
    }

    private func parseCategories(_ node: Node) throws -> [Category: RuleSet.CategoryConfig] {
        let map = try mapping(node, "categories")
        var result: [Category: RuleSet.CategoryConfig] = [:]
        for (key, value) in map {
            let line = map.line(of: key)
            let category = try label(Category.self, key, "categories", line: line)
            guard result[category] == nil else {
                throw ClassifierError(.invalidValue, "category '\(key)' is listed twice in categories", line: line)
            }
            let fields = try mapping(value, "categories.\(key)")
            var department: Department?
            var config = RuleSet.CategoryConfig(department: .service, defaultIntent: nil, physical: false, excludedIntents: 0)
            for (field, fieldValue) in fields {
                let context = "categories.\(key).\(field)"
                switch field {
                case "department":
                    department = try label(Department.self, try string(fieldValue, context), context, line: fieldValue.mark?.line)
                case "intent":
                    config.defaultIntent = try label(Intent.self, try string(fieldValue, context), context, line: fieldValue.mark?.line)
                case "physical":
                    config.physical = try bool(fieldValue, context)
                case "not_with":
                    for (name, line) in try stringList(fieldValue, context) {
                        config.excludedIntents |= 1 << UInt8(Intent.slot(try label(Intent.self, name, context, line: line)))
                    }
                default:
                    throw ClassifierError(.unknownKey, "unknown key '\(context)'; expected department, intent, physical, not_with", line: fields.line(of: field))
                }
            }
            guard let department else {
                throw ClassifierError(.missingKey, "category '\(key)' has no department", line: line)
            }
            config.department = department
            result[category] = config
        }
        let absent = Category.allCases.filter { result[$0] == nil }
        guard absent.isEmpty else {
            throw ClassifierError(.missingKey, "categories must list every category; missing: \(absent.map(\.rawValue).joined(separator: ", "))", line: node.mark?.line)
        }
        return result
    }

    private func parseIntents(_ node: Node?) throws -> [Intent: RuleSet.IntentConfig] {
        guard let node else { return [:] }
        let map = try mapping(node, "intents")
        var result: [Intent: RuleSet.IntentConfig] = [:]
        for (key, value) in map {
            let intent = try label(Intent.self, key, "intents", line: map.line(of: key))
            var config = RuleSet.IntentConfig()
            let fields = try mapping(value, "intents.\(key)")
            for (field, fieldValue) in fields {
                let context = "intents.\(key).\(field)"
                switch field {
                case "max_severity":
                    config.maxSeverity = try label(Severity.self, try string(fieldValue, context), context, line: fieldValue.mark?.line)
                default:
                    throw ClassifierError(.unknownKey, "unknown key '\(context)'; expected max_severity", line: fields.line(of: field))
                }
            }
            result[intent] = config
        }
        return result
    }

    private mutating func parseGroups(_ node: Node) throws {
        let map = try mapping(node, "groups")
        for (name, value) in map {
            let line = map.line(of: name)
            guard groups[name] == nil else {
                throw ClassifierError(.invalidValue, "group '\(name)' is defined twice", line: line)
            }
            var ids: [Int32] = []
            for (entry, entryLine) in try stringList(value, "groups.\(name)") {
                // A group may include an earlier group by name.
                ids.append(contentsOf: try term(entry, line: entryLine, context: "groups.\(name)"))
            }
            guard !ids.isEmpty else {
                throw ClassifierError(.invalidValue, "group '\(name)' is empty", line: line)
            }
            groups[name] = ids
        }
    }

    private static let ruleKeys: Set<String> = ["id", "category", "intent", "severity", "weight", "any", "all", "none", "near", "regex", "negation", "note"]

    /// A compiled rule and the (keyword, condition) pairs that go into the trigger index.
    private struct ParsedRule {
        var rule: RuleSet.Rule
        var postings: [(Int32, RuleSet.Condition)]
    }

    /// Required conditions are bits of a UInt64: `any`, the `all` entries and the two sides of `near`.
    private static let maxConditions = 64

    private mutating func parseRules(_ node: Node) throws -> [ParsedRule] {
        guard let sequence = node.sequence else {
            throw ClassifierError(.invalidValue, "'rules' must be a list of rules", line: node.mark?.line)
        }
        var rules: [ParsedRule] = []
        var seen: [String: Int] = [:]
        for (index, ruleNode) in sequence.enumerated() {
            let line = ruleNode.mark?.line
            let map = try mapping(ruleNode, "rules[\(index)]")
            guard let idNode = map["id"] else {
                throw ClassifierError(.missingKey, "rules[\(index)] has no id", line: line)
            }
            let id = try string(idNode, "rules[\(index)].id")
            let name = "rule '\(id)'"
            if let first = seen[id] {
                throw ClassifierError(.duplicateRuleID, "duplicate rule id '\(id)' (first defined on line \(first)); rule ids must be unique", line: idNode.mark?.line)
            }
            seen[id] = idNode.mark?.line ?? 0
            for (key, _) in map where !Self.ruleKeys.contains(key) {
                throw ClassifierError(.unknownKey, "\(name): unknown key '\(key)'; expected one of \(Self.ruleKeys.sorted().joined(separator: ", "))", line: map.line(of: key))
            }

            var targets: [RuleSet.Rule.Target] = []
            if let value = map["category"] {
                targets.append(.category(try label(Category.self, try string(value, "\(name) category"), "\(name) category", line: value.mark?.line)))
            }
            if let value = map["intent"] {
                targets.append(.intent(try label(Intent.self, try string(value, "\(name) intent"), "\(name) intent", line: value.mark?.line)))
            }
            if let value = map["severity"] {
                targets.append(.severity(try label(Severity.self, try string(value, "\(name) severity"), "\(name) severity", line: value.mark?.line)))
            }
            guard targets.count == 1, let target = targets.first else {
                throw ClassifierError(.invalidValue, "\(name) must set exactly one of category, intent, severity", line: line)
            }

            var weight = 1.0
            if let value = map["weight"] {
                weight = try number(value, "\(name) weight")
                guard weight > 0 else {
                    throw ClassifierError(.invalidValue, "\(name): weight must be positive", line: value.mark?.line)
                }
            }
            // A negated mention still says what the message is about (没有着火，烟感坏了 is fire safety),
            // so category rules count negated hits unless told otherwise; intent and severity rules do not.
            var negatable: Bool
            if case .category = target { negatable = false } else { negatable = true }
            if let value = map["negation"] { negatable = try bool(value, "\(name) negation") }

            let any = try map["any"].map { try flatTerms($0, context: "\(name) any") } ?? []
            let all = try map["all"].map { try nestedTerms($0, context: "\(name) all") } ?? []
            let none = try map["none"].map { try flatTerms($0, context: "\(name) none") } ?? []
            let near = try map["near"].map { try parseNear($0, context: "\(name) near") }
            let regex = try map["regex"].map { try parseRegex($0, context: "\(name) regex") }
            guard !any.isEmpty || !all.isEmpty || near != nil || regex != nil else {
                throw ClassifierError(.missingKey, "\(name) needs 'any' or 'all' keywords (or 'near' or 'regex')", line: line)
            }

            // Each keyword condition gets a bit; the rule fires when present keywords cover them all.
            var terms: [[Int32]] = any.isEmpty ? [] : [any]
            terms.append(contentsOf: all)
            var compiledNear: RuleSet.Near?
            if let near {
                compiledNear = RuleSet.Near(first: Array(Set(near.first)).sorted(), second: Array(Set(near.second)).sorted(),
                                            within: Int32(near.within), firstTerm: terms.count, secondTerm: terms.count + 1)
                terms.append(near.first)
                terms.append(near.second)
            }
            guard terms.count <= Self.maxConditions else {
                throw ClassifierError(.invalidValue, "\(name) has \(terms.count) keyword conditions; at most \(Self.maxConditions - 3) 'all' entries are allowed", line: line)
            }
            var postings: [(Int32, RuleSet.Condition)] = []
            var required: UInt64 = 0
            for (bit, term) in terms.enumerated() {
                required |= 1 << UInt64(bit)
                for keyword in Set(term) { postings.append((keyword, .term(bit))) }
            }
            for keyword in Set(none) { postings.append((keyword, .blocks)) }
            rules.append(ParsedRule(
                rule: RuleSet.Rule(id: id, target: target, weight: weight, required: required, negatable: negatable,
                                   near: compiledNear, regex: regex),
                postings: postings))
        }
        return rules
    }

    /// `near: {words: [A, B], within: N}`: A and B are each a keyword, `@group` or list of alternatives.
    private mutating func parseNear(_ node: Node, context: String) throws -> (first: [Int32], second: [Int32], within: Int) {
        let map = try mapping(node, context)
        var words: [[Int32]]?
        var within: Int?
        for (key, value) in map {
            switch key {
            case "words":
                words = try nestedTerms(value, context: "\(context).words")
                guard words?.count == 2 else {
                    throw ClassifierError(.invalidValue, "\(context).words must list exactly two entries (each a keyword, @group or list of alternatives)", line: value.mark?.line, column: value.mark?.column)
                }
            case "within":
                within = try int(value, "\(context).within", range: 0...200)
            default:
                throw ClassifierError(.unknownKey, "unknown key '\(context).\(key)'; expected words, within", line: map.line(of: key))
            }
        }
        guard let words, let within else {
            throw ClassifierError(.missingKey, "\(context) needs both 'words' (two entries) and 'within' (characters between them)", line: node.mark?.line)
        }
        return (words[0], words[1], within)
    }

    /// `regex: PATTERN`, compiled now so that a mistake is found by `rules check`, not at runtime.
    private func parseRegex(_ node: Node, context: String) throws -> RuleRegex {
        let pattern = try string(node, context)
        guard !pattern.isEmpty else {
            throw ClassifierError(.invalidValue, "\(context) is empty", line: node.mark?.line, column: node.mark?.column)
        }
        do {
            return try RuleRegex(pattern)
        } catch {
            throw ClassifierError(.invalidRegex, "\(context): not a valid regular expression: \(error)", line: node.mark?.line, column: node.mark?.column)
        }
    }

    // MARK: - Terms and keywords

    /// `[a, "@group", b]` → the keyword ids of all entries.
    private mutating func flatTerms(_ node: Node, context: String) throws -> [Int32] {
        var ids: [Int32] = []
        for (entry, line) in try stringList(node, context) {
            ids.append(contentsOf: try term(entry, line: line, context: context))
        }
        return ids
    }

    /// `all`: each entry is a word, `@group`, or a list of alternatives; every entry must match.
    private mutating func nestedTerms(_ node: Node, context: String) throws -> [[Int32]] {
        guard let sequence = node.sequence else {
            throw ClassifierError(.invalidValue, "\(context) must be a list", line: node.mark?.line)
        }
        var terms: [[Int32]] = []
        for entry in sequence {
            if entry.sequence != nil {
                terms.append(try flatTerms(entry, context: context))
            } else {
                terms.append(try term(try string(entry, context), line: entry.mark?.line, context: context))
            }
        }
        return terms
    }

    private mutating func term(_ entry: String, line: Int?, context: String) throws -> [Int32] {
        if entry.hasPrefix("@") {
            let name = String(entry.dropFirst())
            guard let ids = groups[name] else {
                throw ClassifierError(.unknownGroup, "\(context): unknown group '@\(name)'; define it under 'groups' first", line: line)
            }
            return ids
        }
        return [try keyword(entry, line: line, context: context)]
    }

    private mutating func keyword(_ word: String, line: Int?, context: String) throws -> Int32 {
        let normalized = TextNormalizer.normalizedString(word.trimmingSpaces())
        guard normalized != "*", let id = matcher.add(normalized) else {
            throw ClassifierError(.invalidValue, "\(context): empty keyword", line: line)
        }
        return id
    }

    // MARK: - Typed access

    private func mapping(_ node: Node, _ context: String) throws -> [(String, Node)] {
        guard let map = node.mapping else {
            throw ClassifierError(.invalidValue, "\(context) must be a mapping (key: value)", line: node.mark?.line)
        }
        return try map.map { key, value in
            guard let name = key.scalar?.string else {
                throw ClassifierError(.invalidValue, "\(context): keys must be plain strings", line: key.mark?.line)
            }
            return (name, value)
        }
    }

    private func string(_ node: Node, _ context: String) throws -> String {
        guard let scalar = node.scalar else {
            throw ClassifierError(.invalidValue, "\(context) must be a single value, not a list or mapping", line: node.mark?.line)
        }
        return scalar.string
    }

    private func stringList(_ node: Node, _ context: String) throws -> [(String, Int?)] {
        guard let sequence = node.sequence else {
            throw ClassifierError(.invalidValue, "\(context) must be a list", line: node.mark?.line)
        }
        return try sequence.map { (try string($0, context), $0.mark?.line) }
    }

    private func number(_ node: Node, _ context: String) throws -> Double {
        guard let value = Double(try string(node, context)) else {
            throw ClassifierError(.invalidValue, "\(context) must be a number", line: node.mark?.line)
        }
        return value
    }

    private func int(_ node: Node, _ context: String, range: ClosedRange<Int>) throws -> Int {
        guard let value = Int(try string(node, context)), range.contains(value) else {
            throw ClassifierError(.invalidValue, "\(context) must be a whole number in \(range.lowerBound)...\(range.upperBound)", line: node.mark?.line)
        }
        return value
    }

    private func bool(_ node: Node, _ context: String) throws -> Bool {
        switch try string(node, context).lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw ClassifierError(.invalidValue, "\(context) must be true or false", line: node.mark?.line)
        }
    }

    private func label<Label: RawRepresentable & CaseIterable>(_ type: Label.Type, _ raw: String, _ context: String, line: Int?) throws -> Label where Label.RawValue == String {
        guard let value = Label(rawValue: raw) else {
            let kind = String(describing: type).lowercased()
            let expected = Label.allCases.map(\.rawValue).joined(separator: ", ")
            throw ClassifierError(.invalidValue, "\(context): unknown \(kind) '\(raw)'; expected one of \(expected)", line: line)
        }
        return value
    }
}

private extension [(String, Node)] {
    subscript(key: String) -> Node? {
        first { $0.0 == key }?.1
    }

    func line(of key: String) -> Int? {
        first { $0.0 == key }?.1.mark?.line
    }
}

private extension String {
    func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while scalars.first?.isWhitespace == true { scalars.removeFirst() }
        while scalars.last?.isWhitespace == true { scalars.removeLast() }
        return String(scalars)
    }
}
