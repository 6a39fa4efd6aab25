/// A parsed, validated and precompiled rules file (`prompts/rules.yaml`).
///
/// Parsing does all the expensive work once: keywords are normalised and loaded into one trie, groups
/// are expanded into keyword ids, so classifying a message is one pass over its text plus a walk over the
/// rules. See `prompts/rules.yaml` for the format, documented at its top.
public struct RuleSet: Sendable {
    /// Parses and validates rules YAML; throws ClassifierError with a clear message (which key, which rule id, line if available).
    public static func parse(yaml: String) throws -> RuleSet {
        var parser = RuleSetParser(yaml: yaml)
        return try parser.parse()
    }

    /// Stable short hash (FNV-1a 64-bit, hex) of the YAML text: recorded with each classification so a
    /// verdict can be traced to the rules that produced it.
    public var version: String

    /// How many rules the file defines (category, intent and severity rules together).
    public var ruleCount: Int { rules.count }

    /// The department a category routes to, from the `categories` section.
    public func department(for category: Category) -> Department {
        categories[category]?.department ?? .service
    }

    // MARK: - Compiled form (internal)

    struct CategoryConfig: Sendable {
        var department: Department
        /// The intent a message about this category has unless intent rules say otherwise.
        var defaultIntent: Intent?
        /// A category of physical things: only these take the repair intent (a report about people or
        /// conditions is a complaint), and their repairs and complaints need a location.
        var physical: Bool
        /// Intents this category is never combined with (staff_conduct is for complaints only).
        var excludedIntents: Set<Intent>
    }

    struct IntentConfig: Sendable {
        /// Severity is capped here for this intent (praise for a past fire is not an emergency).
        var maxSeverity: Severity?
    }

    struct Settings: Sendable {
        /// How many tokens (a CJK character or a Latin word) before a keyword a negation word may stand.
        var negationWindow = 4
        /// Score the chosen category's default intent starts with.
        var categoryIntentWeight = 1.0
        /// Score a severity level needs before it applies.
        var severityThreshold = 1.0
        /// Tie-break between intents with equal scores: earlier wins.
        var intentOrder: [Intent] = [.praise, .suggestion, .complaint, .inquiry, .repair]
    }

    struct Rule: Sendable {
        enum Target: Sendable, Equatable {
            case category(Category)
            case intent(Intent)
            case severity(Severity)
        }

        var id: String
        var target: Target
        var weight: Double
        /// Fires if any of these keywords is present (ignored when empty).
        var any: [Int32]
        /// Each inner list must have at least one keyword present.
        var all: [[Int32]]
        /// Blocks the rule if any of these keywords is present.
        var none: [Int32]
        /// Whether a negated occurrence ("没有着火", "no one is stuck") is ignored by this rule; by default
        /// true for intent and severity rules, false for category rules.
        var negatable: Bool
    }

    var categories: [Category: CategoryConfig]
    var intents: [Intent: IntentConfig]
    var settings: Settings
    var matcher: KeywordMatcher
    /// Indexed by keyword id: whether the keyword is a negation word.
    var isNegator: [Bool]
    var rules: [Rule]
    /// Which rules a keyword can make fire, so a message only visits the rules its words touch.
    var triggers: Triggers

    /// An inverted index from keyword to the rules it can trigger.
    ///
    /// A rule can only fire when one of its `any` keywords is present (or, without `any`, one of its first
    /// `all` group); rules with neither are candidates for every message. Classifying then costs in
    /// proportion to the rules the text touches, not to the size of the rules file.
    struct Triggers: Sendable {
        /// Indexed by keyword id: indices into `rules`, ascending.
        var byKeyword: [[Int32]]
        /// Rules with no `any` and no `all` keywords, ascending.
        var always: [Int32]

        init(rules: [Rule], keywordCount: Int) {
            var byKeyword = [[Int32]](repeating: [], count: keywordCount)
            var always: [Int32] = []
            for (index, rule) in rules.enumerated() {
                let keys = !rule.any.isEmpty ? rule.any : (rule.all.first ?? [])
                if keys.isEmpty {
                    always.append(Int32(index))
                    continue
                }
                for key in Set(keys) { byKeyword[Int(key)].append(Int32(index)) }
            }
            self.byKeyword = byKeyword
            self.always = always
        }
    }
}

extension RuleSet {
    /// FNV-1a, 64-bit, over the UTF-8 bytes: stable across runs and platforms, unlike `hashValue`.
    static func fnv1a64(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
