import Foundation
import Yams

/// Where a YAML text stops being YAML, and libyaml's words for why — never the text itself.
///
/// Yams' own description of a syntax error quotes the offending line, which in a configuration file can be
/// a secret (`token: "S3cr3t-…" trailing`). Every reader of YAML (configuration, roster, prompts, rules)
/// reports syntax errors through this type instead.
public struct YAMLSyntaxError: Error, CustomStringConvertible, Sendable {
    /// 1-based line and column (in Unicode scalars), when libyaml knows them.
    public var line: Int?
    public var column: Int?
    /// libyaml's problem ("mapping values are not allowed in this context"): fixed words, no input.
    public var problem: String

    /// The syntax error `error` (thrown by Yams while loading or composing) describes.
    public init(_ error: any Error) {
        switch error as? YamlError {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            line = mark.line
            column = mark.column
            self.problem = context.map { "\(problem) (\($0.text) from line \($0.mark.line))" } ?? problem
        case let .reader(problem, offset, _, _):
            self.problem = offset.map { "\(problem) at character \($0)" } ?? problem
        case .dataCouldNotBeDecoded:
            problem = "the text is not UTF-8"
        default:
            problem = "the text cannot be read as YAML"
        }
    }

    public var description: String {
        switch (line, column) {
        case let (line?, column?): "line \(line), column \(column): \(problem)"
        default: problem
        }
    }
}
