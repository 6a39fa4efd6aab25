/// The learned component attached to a rule set and where its evidence sits in the id table.
struct LearnedComponent: Sendable {
    var model: NgramModel
    /// `ruleIDs` index of `learned.severity.emergency`; `learned.severity.major` follows.
    var firstRule: Int32
    var severityEmergency: Int
    var severityMajor: Int
}

extension RuleSet {
    /// The learned model in force, if one is attached.
    public var learned: NgramModel? { learnedComponent?.model }

    /// This rule set with `model` speaking where its rules are silent (see ``NgramModel``). The version
    /// becomes the rules' version and the model's, so a verdict still names exactly what produced it;
    /// the model's evidence is listed as the rules `learned.severity.emergency` and `learned.severity.major`.
    public func attaching(_ model: NgramModel) -> RuleSet {
        var copy = withoutLearned()
        let first = Int32(copy.ruleIDs.count)
        copy.ruleIDs += ["learned.severity.emergency", "learned.severity.major"]
        copy.learnedComponent = LearnedComponent(
            model: model, firstRule: first,
            severityEmergency: model.severity.classes.firstIndex(of: "emergency")!,
            severityMajor: model.severity.classes.firstIndex(of: "major")!)
        copy.version += "+" + model.version.prefix(8)
        return copy
    }

    /// This rule set without its learned model: the rules alone, as `rules.yaml` reads.
    public func withoutLearned() -> RuleSet {
        guard let attached = learnedComponent else { return self }
        var copy = self
        copy.ruleIDs.removeLast(copy.ruleIDs.count - Int(attached.firstRule))
        copy.version = String(copy.version.prefix { $0 != "+" })
        copy.learnedComponent = nil
        return copy
    }
}
