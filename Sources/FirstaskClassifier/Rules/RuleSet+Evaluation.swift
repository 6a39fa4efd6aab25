extension RuleSet {
    /// Rule scores for one message, before the classifier turns them into labels.
    ///
    /// Scores are indexed by the label's slot (``Category/slot(_:)`` and friends). They are SIMD
    /// vectors only because those are fixed-size values stored inline: no dictionary, no heap
    /// allocation per message. Lanes past the last label stay 0.
    struct Evaluation {
        var categoryScores = CategoryScores()
        /// Offset of the earliest keyword that fired a rule for the category (tie-break: first mentioned).
        var categoryFirst = SIMD16<Int32>(repeating: .max)
        var intentScores = IntentScores()
        var severityScores = SIMD4<Double>()
        /// Fired rules, in file order.
        var fired: [FiredRule] = []
        /// The normalised spans that made rules fire; each fired rule owns a run of them.
        var spans: [Span] = []

        /// Back to no scores and no fired rules, keeping the arrays' capacity.
        mutating func reset() {
            categoryScores = CategoryScores()
            categoryFirst = SIMD16<Int32>(repeating: .max)
            intentScores = IntentScores()
            severityScores = SIMD4<Double>()
            fired.removeAll(keepingCapacity: true)
            spans.removeAll(keepingCapacity: true)
        }
    }

    typealias CategoryScores = SIMD16<Double>   // 14 categories
    typealias IntentScores = SIMD8<Double>      // 5 intents

    /// One fired rule and where its evidence is: `spans[firstSpan ..< firstSpan + spanCount]`.
    struct FiredRule: Equatable {
        var rule: Int32
        var firstSpan: Int32
        var spanCount: Int32
    }

    /// A range of the normalised text, `start..<end` in scalars.
    struct Span: Equatable {
        var start: Int32
        var end: Int32
    }

    /// Finds keywords in `text` (already normalised), works out which hits are negated, fires rules.
    ///
    /// Work grows with the hits in the message, not with the rules file: each hit looks up the rule
    /// conditions its keyword satisfies (``Triggers``), the resulting (rule, condition, hit) entries
    /// are sorted by rule, and each touched rule is decided from its own entries.
    func evaluate(_ text: NormalizedText) -> Evaluation {
        var workspace = Classifier.Workspace()
        workspace.text = text
        evaluate(&workspace)
        return workspace.evaluation
    }

    /// ``evaluate(_:)`` of `workspace.text` into `workspace.evaluation`, reusing the workspace's buffers.
    func evaluate(_ workspace: inout Classifier.Workspace) {
        let scalars = workspace.text.scalars
        matcher.hits(in: scalars, into: &workspace.hits, scratch: &workspace.matching)
        // Entries keep a hit index in 24 bits; no real message comes near that many keyword hits.
        if workspace.hits.count > 0xFF_FFFF { workspace.hits.removeLast(workspace.hits.count - 0xFF_FFFF) }
        let hits = workspace.hits
        let hasNegation = markNegated(hits, in: scalars, into: &workspace.negated)
        let negated = hasNegation ? workspace.negated : nil

        // Entry layout (one UInt64, so sorting is a plain integer sort):
        //   rule index << 32 | hit index << 8 | condition code
        // Condition codes: 0 = looked at for every message, 1 = blocks (`none`), 2 + n = required bit n.
        var entries = workspace.entries
        workspace.entries = []   // keep the buffer uniquely referenced while it is filled
        entries.removeAll(keepingCapacity: true)
        for (index, hit) in hits.enumerated() {
            let keyword = Int(hit.keyword)
            if isNegator[keyword] { continue }
            let isNegated = hasNegation && workspace.negated[index]
            for postingIndex in Int(triggers.start[keyword])..<Int(triggers.start[keyword + 1]) {
                let posting = triggers.postings[postingIndex]
                if isNegated && cores[Int(posting.rule)].negatable { continue }
                entries.append(UInt64(posting.rule) << 32 | UInt64(index) << 8 | UInt64(posting.code))
            }
        }
        for rule in triggers.always { entries.append(UInt64(rule) << 32) }
        entries.sort()

        var evaluation = workspace.evaluation
        workspace.evaluation = Evaluation(fired: [], spans: [])
        evaluation.reset()
        var normalizedString: String?
        var start = 0
        while start < entries.count {
            let ruleIndex = Int(entries[start] >> 32)
            var end = start
            var covered: UInt64 = 0
            var blocked = false
            var position = Int32.max
            while end < entries.count && Int(entries[end] >> 32) == ruleIndex {
                let code = entries[end] & 0xFF
                if code == 1 {
                    blocked = true
                } else if code >= 2 {
                    covered |= 1 << (code - 2)
                    position = min(position, hits[Int((entries[end] >> 8) & 0xFF_FFFF)].start)
                }
                end += 1
            }
            defer { start = end }
            let core = cores[ruleIndex]
            guard !blocked, covered == core.required else { continue }
            let near = core.hasNear ? rules[ruleIndex].near : nil

            let firstSpan = Int32(evaluation.spans.count)
            var previousHit = -1
            for entry in entries[start..<end] where entry & 0xFF >= 2 {
                let hitIndex = Int((entry >> 8) & 0xFF_FFFF)
                if let near, entry & 0xFF == 2 + UInt64(near.firstTerm) || entry & 0xFF == 2 + UInt64(near.secondTerm) {
                    continue   // the near pair is reported below, not every hit of its words
                }
                if hitIndex != previousHit {
                    evaluation.spans.append(Span(start: hits[hitIndex].start, end: hits[hitIndex].end))
                    previousHit = hitIndex
                }
            }
            if let near {
                guard let pair = Self.closePair(near, hits: hits, negated: core.negatable ? negated : nil) else {
                    evaluation.spans.removeLast(evaluation.spans.count - Int(firstSpan))
                    continue
                }
                evaluation.spans.append(pair.0)
                evaluation.spans.append(pair.1)
            }
            if core.hasRegex, let regex = rules[ruleIndex].regex {
                if normalizedString == nil { normalizedString = String(String.UnicodeScalarView(scalars)) }
                guard let string = normalizedString, let range = regex.firstMatch(in: string) else {
                    evaluation.spans.removeLast(evaluation.spans.count - Int(firstSpan))
                    continue
                }
                evaluation.spans.append(Span(start: Int32(range.lowerBound), end: Int32(range.upperBound)))
                position = min(position, Int32(range.lowerBound))
            }
            sortSpans(&evaluation.spans, from: Int(firstSpan))
            evaluation.fired.append(FiredRule(rule: Int32(ruleIndex), firstSpan: firstSpan, spanCount: Int32(evaluation.spans.count) - firstSpan))
            switch core.target {
            case .category(let category):
                let slot = Category.slot(category)
                evaluation.categoryScores[slot] += core.weight
                evaluation.categoryFirst[slot] = min(evaluation.categoryFirst[slot], position)
            case .intent(let intent):
                evaluation.intentScores[Intent.slot(intent)] += core.weight
            case .severity(let severity):
                evaluation.severityScores[Severity.slot(severity)] += core.weight
            }
        }
        workspace.evaluation = evaluation
        workspace.entries = entries
    }

    /// Sorts a fired rule's spans by position and drops repeats and spans inside another one (a hit can
    /// serve several conditions; a regex match can cover a keyword hit).
    private func sortSpans(_ spans: inout [Span], from first: Int) {
        guard spans.count - first > 1 else { return }
        // Insertion sort in place: a rule has a handful of spans, and sorting a slice of the array would
        // allocate a copy of it for every fired rule of every message.
        for index in (first + 1)..<spans.count {
            let span = spans[index]
            var slot = index
            while slot > first && (spans[slot - 1].start > span.start || (spans[slot - 1].start == span.start && spans[slot - 1].end < span.end)) {
                spans[slot] = spans[slot - 1]
                slot -= 1
            }
            spans[slot] = span
        }
        var kept = first + 1
        for index in (first + 1)..<spans.count where spans[index].end > spans[kept - 1].end {
            spans[kept] = spans[index]
            kept += 1
        }
        spans.removeLast(spans.count - kept)
    }

    /// The closest pair of hits, one from each side of `near`, with at most `within` characters between
    /// them; nil if there is none. `negated` (when given) marks hits that may not count.
    private static func closePair(_ near: Near, hits: [KeywordMatcher.Hit], negated: [Bool]?) -> (Span, Span)? {
        var best: (gap: Int32, first: Int, second: Int)?
        for (i, a) in hits.enumerated() where negated?[i] != true && Self.sortedContains(near.first, a.keyword) {
            for (j, b) in hits.enumerated() where i != j && negated?[j] != true && Self.sortedContains(near.second, b.keyword) {
                let gap = max(0, max(a.start, b.start) - min(a.end, b.end))
                if gap <= near.within && gap < (best?.gap ?? .max) {
                    best = (gap, i, j)
                }
            }
        }
        guard let best else { return nil }
        let first = hits[best.first], second = hits[best.second]
        let pair = (Span(start: first.start, end: first.end), Span(start: second.start, end: second.end))
        return first.start <= second.start ? pair : (pair.1, pair.0)
    }

    private static func sortedContains(_ sorted: [Int32], _ value: Int32) -> Bool {
        var low = 0, high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low < sorted.count && sorted[low] == value
    }

    /// Fills `negated` with, for each hit, whether a negation word stands within `negationWindow` tokens
    /// before it in the same clause (没有着火, 不是困人, no one is stuck, not a leak). Returns false, and
    /// leaves `negated` alone, when the message has no negation word.
    private func markNegated(_ hits: [KeywordMatcher.Hit], in text: [Unicode.Scalar], into negated: inout [Bool]) -> Bool {
        guard hits.contains(where: { isNegator[Int($0.keyword)] }) else { return false }
        negated.removeAll(keepingCapacity: true)
        for hit in hits {
            negated.append(!isNegator[Int(hit.keyword)] && isNegated(hit, in: text, hits: hits))
        }
        return true
    }

    /// Whether a negation word among `hits` stands within `negationWindow` tokens before `hit`.
    private func isNegated(_ hit: KeywordMatcher.Hit, in text: [Unicode.Scalar], hits: [KeywordMatcher.Hit]) -> Bool {
        var cursor = Int(hit.start)
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
        for other in hits where isNegator[Int(other.keyword)] && Int(other.start) >= cursor && other.end <= hit.start {
            return true
        }
        return false
    }

    private static func isClauseEnd(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case ",", ".", "!", "?", ";", ":", "\n", "~": true
        default: false
        }
    }
}
