/// The classifier's verdict on one resident message.
public struct Classification: Sendable, Equatable, Codable {
    public var intent: Intent
    public var category: Category
    /// Always `rules.department(for: category)`.
    public var department: Department
    public var severity: Severity
    /// The best location mentioned in the message, or nil when none (or an ambiguous one) was found.
    public var location: Location?
    /// A rough 0...1 score of how clearly the rules decided category and intent; not a probability.
    public var confidence: Double
    /// Ids of the rules that fired, in rules-file order.
    ///
    /// Like ``spans``, built when read: the classifier records which rules fired as positions in the rules
    /// file's id table, shared by every classification, rather than copying the id strings each time.
    public var rules: [String] {
        get { evidence.ruleIDs }
        set { evidence = .explained(rules: newValue, spans: spans) }
    }
    /// Whether the severity is the learned model's (no severity rule fired; see ``NgramModel``).
    public var severityIsLearned: Bool { rules.contains { $0.hasPrefix("learned.severity.") } }
    /// Fields the desk should ask the resident for, e.g. `["location"]` for a repair without a location.
    public var missing: [String]
    /// Where in the message each fired rule found its evidence: in rules-file order, and within one rule
    /// by position. Every rule in ``rules`` has at least one span.
    ///
    /// The classifier records positions; the texts are sliced from the message when this is read, since
    /// most classifications (the desk's) are never explained. Reading it costs a copy of each piece.
    public var spans: [MatchedSpan] {
        get { evidence.spans }
        set { evidence = .explained(rules: rules, spans: newValue) }
    }
    /// ``rules`` and ``spans`` as given, or as positions in the rules file and the message.
    var evidence: Evidence
    /// How many rules fired: `rules.count` without building the list.
    package var firedRuleCount: Int { evidence.ruleCount }
    /// Phone numbers the message mentions (a resident leaving a callback number), with offsets into the
    /// original message's Unicode scalars like ``spans``.
    public var phones: [PhoneNumber]

    public init(
        intent: Intent,
        category: Category,
        department: Department,
        severity: Severity,
        location: Location?,
        confidence: Double,
        rules: [String],
        missing: [String],
        spans: [MatchedSpan] = [],
        phones: [PhoneNumber] = []
    ) {
        self.init(intent: intent, category: category, department: department, severity: severity, location: location,
                  confidence: confidence, missing: missing, evidence: .explained(rules: rules, spans: spans), phones: phones)
    }

    /// The classifier's own initialiser: evidence as positions in the rules file and the message.
    init(intent: Intent, category: Category, department: Department, severity: Severity, location: Location?,
         confidence: Double, missing: [String], evidence: Evidence, phones: [PhoneNumber]) {
        self.intent = intent
        self.category = category
        self.department = department
        self.severity = severity
        self.location = location
        self.confidence = confidence
        self.missing = missing
        self.evidence = evidence
        self.phones = phones
    }

    public static func == (lhs: Classification, rhs: Classification) -> Bool {
        lhs.intent == rhs.intent && lhs.category == rhs.category && lhs.department == rhs.department
            && lhs.severity == rhs.severity && lhs.location == rhs.location && lhs.confidence == rhs.confidence
            && lhs.rules == rhs.rules && lhs.missing == rhs.missing && lhs.phones == rhs.phones && lhs.spans == rhs.spans
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(intent, forKey: .intent)
        try container.encode(category, forKey: .category)
        try container.encode(department, forKey: .department)
        try container.encode(severity, forKey: .severity)
        try container.encodeIfPresent(location, forKey: .location)
        try container.encode(confidence, forKey: .confidence)
        try container.encode(rules, forKey: .rules)
        try container.encode(missing, forKey: .missing)
        try container.encode(spans, forKey: .spans)
        try container.encode(phones, forKey: .phones)
    }

    private enum CodingKeys: String, CodingKey {
        case intent, category, department, severity, location, confidence, rules, missing, spans, phones
    }

    /// Decodes classifications stored before spans existed too (`spans` is then empty).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        intent = try container.decode(Intent.self, forKey: .intent)
        category = try container.decode(Category.self, forKey: .category)
        department = try container.decode(Department.self, forKey: .department)
        severity = try container.decode(Severity.self, forKey: .severity)
        location = try container.decodeIfPresent(Location.self, forKey: .location)
        confidence = try container.decode(Double.self, forKey: .confidence)
        let rules = try container.decode([String].self, forKey: .rules)
        missing = try container.decode([String].self, forKey: .missing)
        evidence = .explained(rules: rules, spans: try container.decodeIfPresent([MatchedSpan].self, forKey: .spans) ?? [])
        phones = try container.decodeIfPresent([PhoneNumber].self, forKey: .phones) ?? []
    }
}

/// A piece of the original message that made a rule fire: a keyword hit, one side of a `near` pair,
/// or a `regex` match.
///
/// Offsets count **Unicode scalars** of the message exactly as received (not UTF-16 code units, not
/// bytes, not normalised text), `start` inclusive and `end` exclusive, so
/// `Array(message.unicodeScalars)[start..<end]` is `text`. Emoji and zero-width characters are dropped
/// before matching, so offsets account for them: in "🔥着火了", 着火 is at 1–3.
public struct MatchedSpan: Sendable, Equatable, Codable {
    /// The id of the rule that fired.
    public var rule: String
    /// The matched text as the resident wrote it (traditional characters, capitals and all).
    public var text: String
    public var start: Int
    public var end: Int

    public init(rule: String, text: String, start: Int, end: Int) {
        self.rule = rule
        self.text = text
        self.start = start
        self.end = end
    }
}

/// The evidence behind a classification: which rules fired and where their words are in the message,
/// either finished or as positions that are turned into ids and texts when read.
enum Evidence: Sendable {
    /// One piece of evidence: the index of its rule in the rules file's id table, its UTF-8 byte range
    /// in the message and its range in Unicode scalars. A fired rule with no piece of text to show (an
    /// empty match) has one position with an empty range, so that it is still listed.
    struct Position: Sendable {
        var rule: Int32
        var utf8Start: Int32
        var utf8End: Int32
        var start: Int32
        var end: Int32
    }

    case explained(rules: [String], spans: [MatchedSpan])
    /// Positions grouped by rule, the rules in file order; `ruleIDs` is the rules file's id table.
    case positions(message: String, ruleIDs: [String], [Position])

    var ruleIDs: [String] {
        switch self {
        case .explained(let rules, _):
            return rules
        case .positions(_, let table, let positions):
            var ids: [String] = []
            Self.forEachRule(in: positions) { ids.append(table[Int($0)]) }
            return ids
        }
    }

    var ruleCount: Int {
        switch self {
        case .explained(let rules, _):
            return rules.count
        case .positions(_, _, let positions):
            var count = 0
            Self.forEachRule(in: positions) { _ in count += 1 }
            return count
        }
    }

    /// Each fired rule's index in the id table, once, in file order (positions are grouped by rule).
    private static func forEachRule(in positions: [Position], _ body: (Int32) -> Void) {
        var previous: Int32 = -1
        for position in positions where position.rule != previous {
            body(position.rule)
            previous = position.rule
        }
    }

    var spans: [MatchedSpan] {
        switch self {
        case .explained(_, let spans):
            return spans
        case .positions(let message, let table, let positions):
            var spans: [MatchedSpan] = []
            spans.reserveCapacity(positions.count)
            let utf8 = message.utf8
            for position in positions where position.end > position.start {
                // Ranges start and end on scalar boundaries, so the bytes are whole characters.
                let lower = utf8.index(utf8.startIndex, offsetBy: Int(position.utf8Start))
                let upper = utf8.index(lower, offsetBy: Int(position.utf8End - position.utf8Start))
                spans.append(MatchedSpan(rule: table[Int(position.rule)], text: String(Substring(utf8[lower..<upper])),
                                         start: Int(position.start), end: Int(position.end)))
            }
            return spans
        }
    }
}
