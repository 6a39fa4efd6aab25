/// Classifies resident messages with a ``RuleSet``: pure, synchronous, no I/O.
///
/// Steps: normalise the text once (``TextNormalizer``), find every keyword in one trie pass, drop
/// negated hits, fire rules, then decide category, intent and severity from the rule scores, and extract
/// the location. Safe to share across tasks.
public struct Classifier: Sendable {
    public let rules: RuleSet

    public init(rules: RuleSet) {
        self.rules = rules
    }

    public func classify(_ text: String) -> Classification {
        let normalized = TextNormalizer.normalize(text)
        let evaluation = rules.evaluate(normalized)

        let rankedCategories = Self.ranked(evaluation.categoryScores, first: evaluation.categoryFirst)
        var category = rankedCategories.first ?? .general
        var intent = chooseIntent(evaluation, category: category)
        if let config = rules.categories[category], config.excludedIntents.contains(intent) {
            category = rankedCategories.first { rules.categories[$0]?.excludedIntents.contains(intent) == false } ?? .general
        }
        let physical = rules.categories[category]?.physical == true
        if intent == .repair && !physical {
            intent = .complaint
        }

        var severity = Severity.general
        for level in [Severity.emergency, .major] where (evaluation.severityScores[level] ?? 0) >= rules.settings.severityThreshold {
            severity = level
            break
        }
        if let cap = rules.intents[intent]?.maxSeverity, severity > cap {
            severity = cap
        }

        let location = LocationScanner.scan(normalized)
        var missing: [String] = []
        let needsLocation = intent == .repair || (intent == .complaint && physical)
        if location == nil && needsLocation {
            missing.append("location")
        }

        return Classification(
            intent: intent,
            category: category,
            department: rules.department(for: category),
            severity: severity,
            location: location,
            confidence: confidence(evaluation, category: category, intent: intent),
            rules: evaluation.fired,
            missing: missing
        )
    }

    private func chooseIntent(_ evaluation: RuleSet.Evaluation, category: Category) -> Intent {
        var scores = evaluation.intentScores
        if let prior = rules.categories[category]?.defaultIntent {
            scores[prior, default: 0] += rules.settings.categoryIntentWeight
        }
        let order = rules.settings.intentOrder
        var best: Intent = category == .general ? .inquiry : .complaint
        var bestScore = 0.0
        for intent in order {
            let score = scores[intent] ?? 0
            if score > bestScore {
                best = intent
                bestScore = score
            }
        }
        return best
    }

    /// Categories with a positive score, best first; ties go to the one mentioned first.
    private static func ranked(_ scores: [Category: Double], first: [Category: Int]) -> [Category] {
        scores.filter { $0.value > 0 }.keys.sorted { lhs, rhs in
            let left = scores[lhs]!, right = scores[rhs]!
            if left != right { return left > right }
            return (first[lhs] ?? .max) < (first[rhs] ?? .max)
        }
    }

    /// Half from how clearly the category won, half from how clearly the intent won.
    private func confidence(_ evaluation: RuleSet.Evaluation, category: Category, intent: Intent) -> Double {
        func clarity<Key: Hashable>(_ scores: [Key: Double], winner: Key) -> Double {
            let top = scores[winner] ?? 0
            guard top > 0 else { return 0.3 }
            let runnerUp = scores.filter { $0.key != winner }.values.max() ?? 0
            let margin = top / (top + runnerUp)
            return margin * min(1, top / 2)
        }
        var intentScores = evaluation.intentScores
        if let prior = rules.categories[category]?.defaultIntent {
            intentScores[prior, default: 0] += rules.settings.categoryIntentWeight
        }
        let value = (clarity(evaluation.categoryScores, winner: category) + clarity(intentScores, winner: intent)) / 2
        return (value * 100).rounded() / 100
    }
}
