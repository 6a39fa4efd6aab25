/// Classifies resident messages with a ``RuleSet``: pure, synchronous, no I/O.
///
/// Steps: normalise the text once (``TextNormalizer``), find every keyword in one automaton pass, drop
/// negated hits, fire rules, then decide category, intent and severity from the rule scores, extract
/// the location, and map the evidence of each fired rule back to the original text. Safe to share
/// across tasks.
public struct Classifier: Sendable {
    public let rules: RuleSet

    public init(rules: RuleSet) {
        self.rules = rules
    }

    private static let missingLocation = ["location"]

    /// Scratch buffers for classifying: the normalised text, keyword hits, rule entries and so on.
    ///
    /// ``classify(_:)`` makes a fresh one per message. A loop over many messages (the bench, a batch)
    /// can keep one and pass it to ``classify(_:using:)`` so the buffers are allocated once. A workspace
    /// holds nothing between calls that affects the result; it must not be shared between concurrent
    /// calls (it is passed `inout`, so Swift enforces that).
    public struct Workspace: Sendable {
        var text = NormalizedText()
        var hits: [KeywordMatcher.Hit] = []
        var negated: [Bool] = []
        var entries: [UInt64] = []
        var matching = KeywordMatcher.Scratch()
        var evaluation = RuleSet.Evaluation()
        var location = LocationScanner.Buffers()
        var grams: [NgramModel.Occurrence] = []
        var learned: [Learned] = []
        var probabilities: [Float] = []

        public init() {}
    }

    public func classify(_ text: String) -> Classification {
        var workspace = Workspace()
        return classify(text, using: &workspace)
    }

    /// ``classify(_:)`` reusing the buffers of `workspace`; the result is the same.
    public func classify(_ text: String, using workspace: inout Workspace) -> Classification {
        TextNormalizer.normalize(text, into: &workspace.text)
        rules.evaluate(&workspace)
        let normalized = workspace.text
        let evaluation = workspace.evaluation

        workspace.learned.removeAll(keepingCapacity: true)
        let component = rules.learnedComponent
        let severitySilent = evaluation.severityScores[Severity.slot(.emergency)] == 0
            && evaluation.severityScores[Severity.slot(.major)] == 0
        if let component, severitySilent {
            component.model.occurrences(normalized.scalars, into: &workspace.grams)
        }
        var category = Self.best(evaluation) { _ in true } ?? Category.slot(.general)
        var intent = chooseIntent(evaluation, category: category)
        if rules.categories[category].excludes(intent) {
            let categories = rules.categories
            category = Self.best(evaluation) { !categories[$0].excludes(intent) } ?? Category.slot(.general)
        }
        let config = rules.categories[category]
        let physical = config.physical
        if intent == .repair && !physical {
            intent = .complaint
        }

        var severity = Severity.general
        for level in [Severity.emergency, .major] where evaluation.severityScores[Severity.slot(level)] >= rules.settings.severityThreshold {
            severity = level
            break
        }
        if let component, severitySilent, !workspace.grams.isEmpty {
            let model = component.model
            model.probabilities(model.severity, workspace.grams, into: &workspace.probabilities)
            let probabilities = workspace.probabilities
            let emergency = probabilities[component.severityEmergency], major = probabilities[component.severityMajor]
            if emergency > model.emergencyThreshold {
                severity = .emergency
                workspace.learned.append(Learned(rule: component.firstRule,
                                                 grams: model.evidence(model.severity, label: component.severityEmergency, workspace.grams)))
            } else if emergency + major > model.majorThreshold {
                severity = .major
                workspace.learned.append(Learned(rule: component.firstRule + 1,
                                                 grams: model.evidence(model.severity, label: component.severityMajor, workspace.grams)))
            }
        }
        if let cap = rules.intents[Intent.slot(intent)].maxSeverity, severity > cap {
            severity = cap
        }

        let location = LocationScanner.scan(normalized.scalars, buffers: &workspace.location)
        let needsLocation = intent == .repair || (intent == .complaint && physical)
        // One shared array rather than a new one per message.
        let missing = location == nil && needsLocation ? Self.missingLocation : []

        return Classification(
            intent: intent,
            category: Category.bySlot[category],
            department: config.department,
            severity: severity,
            location: location,
            confidence: confidence(evaluation, category: category, intent: intent),
            missing: missing,
            evidence: evidence(evaluation, learned: workspace.learned, normalized: normalized, original: text),
            phones: phones(normalized)
        )
    }

    /// Phone numbers in the normalised text (full-width digits already half-width), with their ranges
    /// moved back onto the original message.
    private func phones(_ normalized: NormalizedText) -> [PhoneNumber] {
        // Every number the scanner reports has at least `PhoneScanner.minimumDigits` digits, and nearly
        // no message has that many: count them first and skip the scan (and its allocations) otherwise.
        guard PhoneScanner.mayContainNumber(normalized.scalars) else { return [] }
        var found = PhoneScanner.scan(normalized.scalars)
        for index in found.indices {
            let range = found[index].range
            found[index].range = normalized.originalRange(start: range.lowerBound, end: range.upperBound).scalars
        }
        return found
    }

    /// Intent scores plus the chosen category's default intent.
    private func intentScores(_ evaluation: RuleSet.Evaluation, category: Int) -> RuleSet.IntentScores {
        var scores = evaluation.intentScores
        if let prior = rules.categories[category].defaultIntent {
            scores[Intent.slot(prior)] += rules.settings.categoryIntentWeight
        }
        return scores
    }

    private func chooseIntent(_ evaluation: RuleSet.Evaluation, category: Int) -> Intent {
        let scores = intentScores(evaluation, category: category)
        var best: Intent = category == Category.slot(.general) ? .inquiry : .complaint
        var bestScore = 0.0
        for intent in rules.settings.intentOrder {
            let score = scores[Intent.slot(intent)]
            if score > bestScore {
                best = intent
                bestScore = score
            }
        }
        return best
    }

    /// The allowed category slot with the highest positive score (a tie goes to the one mentioned
    /// first), or nil when none scored.
    private static func best(_ evaluation: RuleSet.Evaluation, allowed: (Int) -> Bool) -> Int? {
        let scores = evaluation.categoryScores, first = evaluation.categoryFirst
        var best: Int?
        for slot in 0..<Category.bySlot.count where scores[slot] > 0 && allowed(slot) {
            if let current = best, scores[current] > scores[slot] || (scores[current] == scores[slot] && first[current] <= first[slot]) {
                continue
            }
            best = slot
        }
        return best
    }

    /// Half from how clearly the category won, half from how clearly the intent won.
    private func confidence(_ evaluation: RuleSet.Evaluation, category: Int, intent: Intent) -> Double {
        func clarity<Scores: SIMD>(_ scores: Scores, winner: Int) -> Double where Scores.Scalar == Double {
            let top = scores[winner]
            guard top > 0 else { return 0.3 }
            var runnerUp = 0.0
            for index in scores.indices where index != winner { runnerUp = max(runnerUp, scores[index]) }
            let margin = top / (top + runnerUp)
            return margin * min(1, top / 2)
        }
        let intentScores = intentScores(evaluation, category: category)
        let value = (clarity(evaluation.categoryScores, winner: category) + clarity(intentScores, winner: Intent.slot(intent))) / 2
        return (value * 100).rounded() / 100
    }

    /// The fired rules and their evidence, mapped from normalised offsets back to positions in the
    /// original text. Ids and pieces of text are made only when someone reads ``Classification/rules``
    /// or ``Classification/spans``; the desk reads the ids, nothing in a batch reads the spans.
    private func evidence(_ evaluation: RuleSet.Evaluation, learned: [Learned], normalized: NormalizedText, original: String)
        -> Evidence
    {
        var positions: [Evidence.Position] = []
        positions.reserveCapacity(evaluation.spans.count + 1)
        for fired in evaluation.fired {
            let before = positions.count
            for span in evaluation.spans[Int(fired.firstSpan)..<Int(fired.firstSpan + fired.spanCount)] where span.end > span.start {
                let range = normalized.originalRange(start: Int(span.start), end: Int(span.end))
                positions.append(Evidence.Position(
                    rule: fired.rule, utf8Start: Int32(range.utf8.lowerBound), utf8End: Int32(range.utf8.upperBound),
                    start: Int32(range.scalars.lowerBound), end: Int32(range.scalars.upperBound)))
            }
            if positions.count == before {
                positions.append(Evidence.Position(rule: fired.rule, utf8Start: 0, utf8End: 0, start: 0, end: 0))
            }
        }
        // The learned component's evidence, after the rules' (its ids follow theirs in the table); severity first.
        for decision in learned.sorted(by: { $0.rule < $1.rule }) {
            for gram in decision.grams.sorted(by: { $0.start < $1.start }) {
                let range = normalized.originalRange(start: Int(gram.start), end: Int(gram.end))
                positions.append(Evidence.Position(
                    rule: decision.rule, utf8Start: Int32(range.utf8.lowerBound), utf8End: Int32(range.utf8.upperBound),
                    start: Int32(range.scalars.lowerBound), end: Int32(range.scalars.upperBound)))
            }
        }
        return .positions(message: original, ruleIDs: rules.ruleIDs, positions)
    }

    /// A decision of the learned component: its pseudo-rule and the grams that made it.
    struct Learned: Sendable {
        var rule: Int32
        var grams: [NgramModel.Occurrence]
    }
}
