/// A rules file that cannot be used, with what is wrong, where, and what to do about it.
///
/// The description names keys, rule ids and line numbers, never message text.
public struct ClassifierError: Error, CustomStringConvertible {
    /// What kind of problem, for callers that want to match on it.
    public enum Code: String, Sendable {
        /// The text is not valid YAML.
        case invalidYAML
        /// A required key is absent.
        case missingKey
        /// A key the format does not know (often a typo).
        case unknownKey
        /// A value of the wrong type or outside the allowed set (unknown category, negative weight…).
        case invalidValue
        /// Two rules share an id.
        case duplicateRuleID
        /// A rule refers to a group that is not defined.
        case unknownGroup
        /// A rule's `regex` does not compile.
        case invalidRegex
    }

    public var code: Code
    /// 1-based line in the rules file, when known.
    public var line: Int?
    /// 1-based column in the rules file where the offending value starts, when known.
    public var column: Int?
    public var description: String
    /// The problem alone, without the file name and line that `description` starts with.
    public var message: String

    init(_ code: Code, _ message: String, line: Int? = nil, column: Int? = nil) {
        self.code = code
        self.line = line
        self.column = line == nil ? nil : column
        self.message = message
        switch (line, self.column) {
        case let (line?, column?):
            self.description = "rules.yaml line \(line), column \(column): \(message)"
        case let (line?, nil):
            self.description = "rules.yaml line \(line): \(message)"
        default:
            self.description = "rules.yaml: \(message)"
        }
    }
}
