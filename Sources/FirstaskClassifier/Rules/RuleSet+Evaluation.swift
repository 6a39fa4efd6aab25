extension RuleSet {
    /// Rule scores for one message, before the classifier turns them into labels.
    struct Evaluation {
        var categoryScores: [Category: Double] = [:]
        /// Offset of the earliest keyword that fired a rule for the category (tie-break: first mentioned).
        var categoryFirst: [Category: Int] = [:]
        var intentScores: [Intent: Double] = [:]
        var severityScores: [Severity: Double] = [:]
        /// Ids of fired rules, in file order.
        var fired: [String] = []
    }

    /// Finds keywords in `text` (already normalised), works out which hits are negated, fires rules.
    func evaluate(_ text: [Unicode.Scalar]) -> Evaluation {
        let hits = matcher.hits(in: text)
        // First offset per keyword: `plain` counts only hits not negated, `any` counts all hits.
        var plain = [Int32](repeating: -1, count: matcher.count)
        var any = [Int32](repeating: -1, count: matcher.count)
        let negations = hits.filter { isNegator[Int($0.keyword)] }
        for hit in hits {
            let keyword = Int(hit.keyword)
            if isNegator[keyword] { continue }
            if any[keyword] < 0 { any[keyword] = Int32(hit.start) }
            if plain[keyword] < 0 && !isNegated(hit, in: text, negations: negations) {
                plain[keyword] = Int32(hit.start)
            }
        }

        // Only rules that a present keyword can trigger, visited in file order so scores and `fired`
        // come out exactly as a walk over every rule would give.
        var candidates = Set(triggers.always)
        for hit in hits { candidates.formUnion(triggers.byKeyword[Int(hit.keyword)]) }
        var evaluation = Evaluation()
        for index in candidates.sorted() {
            let rule = rules[Int(index)]
            let present = rule.negatable ? plain : any
            guard let position = Self.fires(rule, present) else { continue }
            evaluation.fired.append(rule.id)
            switch rule.target {
            case .category(let category):
                evaluation.categoryScores[category, default: 0] += rule.weight
                evaluation.categoryFirst[category] = min(evaluation.categoryFirst[category] ?? .max, position)
            case .intent(let intent):
                evaluation.intentScores[intent, default: 0] += rule.weight
            case .severity(let severity):
                evaluation.severityScores[severity, default: 0] += rule.weight
            }
        }
        return evaluation
    }

    /// The offset of the earliest keyword that made the rule fire, or nil if it does not fire.
    private static func fires(_ rule: Rule, _ present: [Int32]) -> Int? {
        var position = Int32.max
        if !rule.any.isEmpty {
            var matched = false
            for id in rule.any where present[Int(id)] >= 0 {
                matched = true
                position = min(position, present[Int(id)])
            }
            guard matched else { return nil }
        }
        for term in rule.all {
            var matched = false
            for id in term where present[Int(id)] >= 0 {
                matched = true
                position = min(position, present[Int(id)])
            }
            guard matched else { return nil }
        }
        for id in rule.none where present[Int(id)] >= 0 {
            return nil
        }
        return Int(position)
    }

    /// A hit is negated when a negation word stands within `negationWindow` tokens before it, in the same
    /// clause: 没有着火, 不是困人, no one is stuck, not a leak.
    private func isNegated(_ hit: KeywordMatcher.Hit, in text: [Unicode.Scalar], negations: [KeywordMatcher.Hit]) -> Bool {
        guard !negations.isEmpty else { return false }
        var cursor = hit.start
        var tokens = 0
        while cursor > 0 && tokens < settings.negationWindow {
            let scalar = text[cursor - 1]
            if Self.isClauseEnd(scalar) { break }
            if scalar == " " {
                cursor -= 1
                continue
            }
            if TextNormalizer.isWordScalar(scalar) || scalar == "'" {
                while cursor > 0 && (TextNormalizer.isWordScalar(text[cursor - 1]) || text[cursor - 1] == "'") {
                    cursor -= 1
                }
            } else {
                cursor -= 1
            }
            tokens += 1
        }
        return negations.contains { $0.start >= cursor && $0.end <= hit.start }
    }

    private static func isClauseEnd(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case ",", ".", "!", "?", ";", ":", "\n", "~": true
        default: false
        }
    }
}
