/// Where the classifier's time goes, for `firstask bench classify --stages`.
extension Classifier {
    /// Seconds for `passes` passes over `texts`, running the pipeline up to each step in turn: normalise;
    /// then the keyword scan; then rule evaluation; then the whole classification (labels, location,
    /// spans, phones). The differences between consecutive figures are each step's own cost.
    package func stageSeconds(_ texts: [String], passes: Int) -> [(stage: String, seconds: Double)] {
        var workspace = Workspace()
        var sink = 0
        func time(_ body: (String) -> Void) -> Double {
            let clock = ContinuousClock()
            let elapsed = clock.measure {
                for _ in 0..<passes {
                    for text in texts { body(text) }
                }
            }
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
        let normalize = time { text in
            TextNormalizer.normalize(text, into: &workspace.text)
            sink &+= workspace.text.count
        }
        let match = time { text in
            TextNormalizer.normalize(text, into: &workspace.text)
            rules.matcher.hits(in: workspace.text.scalars, into: &workspace.hits, stack: &workspace.stack)
            sink &+= workspace.hits.count
        }
        let evaluate = time { text in
            TextNormalizer.normalize(text, into: &workspace.text)
            rules.evaluate(&workspace)
            sink &+= workspace.evaluation.fired.count
        }
        let classify = time { text in
            sink &+= self.classify(text, using: &workspace).rules.count
        }
        precondition(sink != -1)   // keeps the work from being optimised away
        return [("normalise", normalize), ("+ keyword scan", match), ("+ rule evaluation", evaluate), ("+ labels, location, spans, phones", classify)]
    }
}
