/// A parsed, validated and precompiled rules file (`prompts/rules.yaml`).
///
/// Parsing does all the expensive work once: keywords are normalised and compiled into one keyword
/// automaton, groups are expanded into keyword ids, regular expressions are compiled, and an inverted
/// index records which rule conditions each keyword satisfies. Classifying a message is then one pass
/// over its text plus work in proportion to the keywords found, not to the size of the rules file.
/// See `prompts/rules.yaml` for the format, documented at its top.
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
        categories[Category.slot(category)].department
    }

    // MARK: - Compiled form (internal)

    struct CategoryConfig: Sendable {
        var department: Department
        /// The intent a message about this category has unless intent rules say otherwise.
        var defaultIntent: Intent?
        /// A category of physical things: only these take the repair intent (a report about people or
        /// conditions is a complaint), and their repairs and complaints need a location.
        var physical: Bool
        /// Intents this category is never combined with (staff_conduct is for complaints only): a bit
        /// per ``Intent/slot(_:)``.
        var excludedIntents: UInt8

        func excludes(_ intent: Intent) -> Bool {
            excludedIntents & (1 << UInt8(Intent.slot(intent))) != 0
        }
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

    /// What rule evaluation reads for every candidate rule, kept apart from ``Rule`` in a plain struct:
    /// reading it copies no strings or arrays (no reference counting in the hot loop).
    struct RuleCore: Sendable {
        /// See ``Rule/required``.
        var required: UInt64
        var negatable: Bool
        var hasNear: Bool
        var hasRegex: Bool
        var weight: Double
        var target: Rule.Target
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
        /// One bit per condition that needs a keyword: `any` (if given), each `all` entry, and the two
        /// sides of `near`. The rule can fire only when keywords present cover all these bits.
        var required: UInt64
        /// Whether a negated occurrence ("没有着火", "no one is stuck") is ignored by this rule; by default
        /// true for intent and severity rules, false for category rules.
        var negatable: Bool
        /// Two keyword sets whose hits must lie close together, checked once `required` is met.
        var near: Near?
        /// A regular expression the normalised text must match, checked last (the costliest test).
        var regex: RuleRegex?
    }

    /// `near`: some hit from `first` and some hit from `second` with at most `within` normalised
    /// characters between them, in either order.
    struct Near: Sendable {
        /// Keyword ids, sorted.
        var first: [Int32]
        var second: [Int32]
        var within: Int32
        /// The `required` bits that stand for "a keyword of `first` / `second` is present".
        var firstTerm: Int
        var secondTerm: Int
    }

    /// Which rule condition a keyword satisfies: the rule index and the condition, as the code that
    /// evaluation sorts by (1 = blocks, 2 + n = required bit n; see ``RuleSet/evaluate(_:)``).
    struct Posting: Sendable {
        var rule: Int32
        var code: UInt8

        init(rule: Int32, condition: Condition) {
            self.rule = rule
            switch condition {
            case .blocks: code = 1
            case .term(let bit): code = UInt8(2 + bit)
            }
        }
    }

    /// What a present keyword does for a rule.
    enum Condition: Sendable, Equatable {
        /// Satisfies the rule's required condition with this bit index.
        case term(Int)
        /// Blocks the rule (`none`).
        case blocks
    }

    var categories: [CategoryConfig]
    var intents: [IntentConfig]
    var settings: Settings
    var matcher: KeywordMatcher
    /// Indexed by keyword id: whether the keyword is a negation word.
    var isNegator: [Bool]
    var rules: [Rule]
    /// `rules`' ids, same indices: one table that every classification shares (see ``Evidence``).
    var ruleIDs: [String]
    /// The learned model and its place in `ruleIDs`, when one is attached (``attaching(_:)``).
    var learnedComponent: LearnedComponent?
    /// `rules` reduced to what evaluation reads for every candidate, same indices.
    var cores: [RuleCore]
    /// Which rules a keyword can make fire, so a message only visits the rules its words touch.
    var triggers: Triggers

    /// How big the compiled keyword matcher is: keywords, automaton states, stored transitions, and the
    /// cells of the double array that holds them (8 bytes each).
    public var matcherSize: (keywords: Int, states: Int, transitions: Int, cells: Int) {
        let automaton = matcher.automatonSize
        return (matcher.count, automaton.states, automaton.transitions, automaton.cells)
    }

    /// An inverted index from keyword to the rule conditions it satisfies.
    ///
    /// A rule is only looked at when a keyword it names is present; rules without keywords (only a
    /// `regex`) are looked at for every message. Stored flat: the postings of keyword `k` are
    /// `postings[start[k] ..< start[k + 1]]`.
    struct Triggers: Sendable {
        var start: [Int32]
        var postings: [Posting]
        /// Rules with no keyword conditions at all, ascending.
        var always: [Int32]

        init(postings byKeyword: [[Posting]], always: [Int32]) {
            var start: [Int32] = [0]
            var flat: [Posting] = []
            start.reserveCapacity(byKeyword.count + 1)
            for list in byKeyword {
                flat.append(contentsOf: list)
                start.append(Int32(flat.count))
            }
            self.start = start
            self.postings = flat
            self.always = always
        }
    }
}

extension Category {
    /// `allCases`, stored once: `allCases` itself builds a new array on every call.
    static let bySlot: [Category] = allCases

    /// Position in `allCases`: the index of this category in per-category arrays.
    static func slot(_ category: Category) -> Int {
        switch category {
        case .plumbing: 0
        case .electrical: 1
        case .elevator: 2
        case .facility: 3
        case .fireSafety: 4
        case .security: 5
        case .parking: 6
        case .noise: 7
        case .sanitation: 8
        case .greenery: 9
        case .fees: 10
        case .renovation: 11
        case .staffConduct: 12
        case .general: 13
        }
    }
}

extension Intent {
    /// Position in `allCases`: the index of this intent in per-intent arrays.
    static func slot(_ intent: Intent) -> Int {
        switch intent {
        case .repair: 0
        case .complaint: 1
        case .inquiry: 2
        case .suggestion: 3
        case .praise: 4
        }
    }
}

extension Severity {
    /// Position in `allCases`: the index of this severity in per-severity arrays.
    static func slot(_ severity: Severity) -> Int {
        switch severity {
        case .general: 0
        case .major: 1
        case .emergency: 2
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
