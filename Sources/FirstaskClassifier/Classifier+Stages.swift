/// Where the classifier's time goes, for `firstask bench classify --stages`.
extension Classifier {
    /// Nanoseconds per message of the best of `passes` passes over `texts`, running the pipeline up to each
    /// step in turn: normalise; then the keyword scan; then rule evaluation; then the whole classification
    /// (labels, location, spans, phones). Each row has the cumulative figure and the step's own cost (the
    /// difference); the location and phone scanners are also timed alone, after normalising. The best pass, not the mean: on a shared machine it is the figure the neighbours disturb least.
    package func stageNanoseconds(_ texts: [String], passes: Int) -> [(stage: String, cumulative: Double?, own: Double)] {
        var workspace = Workspace()
        var sink = 0
        func time(_ body: (String) -> Void) -> Double {
            let clock = ContinuousClock()
            var best = Duration.seconds(1_000_000)
            for _ in 0..<passes {
                best = min(best, clock.measure { for text in texts { body(text) } })
            }
            let seconds = Double(best.components.seconds) + Double(best.components.attoseconds) / 1e18
            return seconds / Double(max(1, texts.count)) * 1e9
        }
        let normalize = time { text in
            TextNormalizer.normalize(text, into: &workspace.text)
            sink &+= workspace.text.count
        }
        let match = time { text in
            TextNormalizer.normalize(text, into: &workspace.text)
            rules.matcher.hits(in: workspace.text.scalars, into: &workspace.hits, scratch: &workspace.matching)
            sink &+= workspace.hits.count
        }
        let evaluate = time { text in
            TextNormalizer.normalize(text, into: &workspace.text)
            rules.evaluate(&workspace)
            sink &+= workspace.evaluation.fired.count
        }
        let location = time { text in
            TextNormalizer.normalize(text, into: &workspace.text)
            sink &+= LocationScanner.scan(workspace.text.scalars, buffers: &workspace.location) == nil ? 0 : 1
        }
        let phones = time { text in
            TextNormalizer.normalize(text, into: &workspace.text)
            sink &+= PhoneScanner.mayContainNumber(workspace.text.scalars) ? PhoneScanner.scan(workspace.text.scalars).count : 0
        }
        let classify = time { text in
            sink &+= self.classify(text, using: &workspace).firedRuleCount
        }
        precondition(sink != -1)   // keeps the work from being optimised away
        return [("normalise", normalize, normalize),
                ("+ keyword scan", match, match - normalize),
                ("+ rule evaluation", evaluate, evaluate - match),
                ("+ labels, location, spans, phones", classify, classify - evaluate),
                ("  of which location", nil, location - normalize),
                ("  of which phone numbers", nil, phones - normalize)]
    }
}
