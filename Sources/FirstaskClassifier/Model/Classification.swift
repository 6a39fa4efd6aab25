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
    public var rules: [String]
    /// Fields the desk should ask the resident for, e.g. `["location"]` for a repair without a location.
    public var missing: [String]

    public init(
        intent: Intent,
        category: Category,
        department: Department,
        severity: Severity,
        location: Location?,
        confidence: Double,
        rules: [String],
        missing: [String]
    ) {
        self.intent = intent
        self.category = category
        self.department = department
        self.severity = severity
        self.location = location
        self.confidence = confidence
        self.rules = rules
        self.missing = missing
    }
}
