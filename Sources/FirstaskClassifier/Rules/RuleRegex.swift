/// A rule's `regex:` condition, compiled once when the rules file is read.
///
/// The expression runs on the normalised text (lower case, half-width, simplified Chinese, emoji
/// dropped) with Unicode-scalar semantics and case-insensitively, so it sees what keywords see. It is
/// the costliest test a rule can make, so it runs only after the rule's keyword conditions are met.
///
/// `@unchecked Sendable`: `Regex<AnyRegexOutput>` is not Sendable only because its output type holds
/// arbitrary captures; we never share outputs, and the regex itself is an immutable value. Its matching
/// program is built lazily on first use, so `init` runs one match to build it before the rule set is
/// shared between tasks.
struct RuleRegex: @unchecked Sendable {
    let pattern: String
    private let regex: Regex<AnyRegexOutput>

    /// Compiles `pattern`; throws the regex engine's error when it is not a valid expression.
    init(_ pattern: String) throws {
        self.pattern = pattern
        self.regex = try Regex(pattern).matchingSemantics(.unicodeScalar).ignoresCase()
        _ = try? regex.firstMatch(in: "")
    }

    /// The first match in `text` (a normalised message) as scalar offsets, or nil. Empty matches count
    /// as no match: an expression that can match nothing would fire on every message.
    func firstMatch(in text: String) -> Range<Int>? {
        guard let match = try? regex.firstMatch(in: text), !match.range.isEmpty else { return nil }
        let scalars = text.unicodeScalars
        let start = scalars.distance(from: scalars.startIndex, to: match.range.lowerBound)
        return start..<(start + scalars.distance(from: match.range.lowerBound, to: match.range.upperBound))
    }
}
