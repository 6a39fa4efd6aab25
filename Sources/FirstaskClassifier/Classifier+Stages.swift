/// Where the classifier's time goes, for `firstask bench classify --stages`.
extension Classifier {
    /// Nanoseconds per message of the best of `passes` passes over `texts`, running the pipeline up to each
    /// step in turn: normalise; then the keyword scan; then rule evaluation; then the whole classification
    /// (labels, location, spans, phones). The differences between consecutive figures are each step's own
    /// cost. The best pass, not the mean: on a shared machine it is the figure the neighbours disturb least.
    package func stageNanoseconds(_ texts: [String], passes: Int) -> [(stage: String, nanoseconds: Double)] {
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
