import FirstaskClassifier
import Foundation
import Yams

/// Reads typed values out of a parsed YAML mapping, naming the file and key path in every error, and
/// letting environment variables override keys (`http.listen` ← `FIRSTASK_HTTP_LISTEN`,
/// `channels[0].token` ← `FIRSTASK_CHANNELS_0_TOKEN`).
struct YAMLReader {
    let file: String
    let path: String
    let node: [String: Any]
    let environment: [String: String]
    let envPrefix: String?
    private let allowed: Set<String>
    /// Line and column of every key path in the file (`channels[0].id`), for errors.
    let marks: [String: (line: Int, column: Int)]
    /// The environment variables some key was looked up under, shared by the readers of one file.
    let consulted: ConsultedNames

    final class ConsultedNames {
        var names: Set<String> = []
    }

    /// Parses `text` as a YAML mapping.
    static func root(text: String, file: String, environment: [String: String], envPrefix: String?, allowed: Set<String>) throws -> YAMLReader {
        let parsed: Any?
        let marks: [String: (line: Int, column: Int)]
        do {
            parsed = try Yams.load(yaml: text)
            marks = Self.marks(of: try Yams.compose(yaml: text))
        } catch {
            let syntax = YAMLSyntaxError(error)
            throw ConfigError(file: file, key: "", problem: "is not valid YAML: \(syntax.problem)", line: syntax.line, column: syntax.column)
        }
        guard let mapping = (parsed ?? [String: Any]()) as? [String: Any] else {
            throw ConfigError(file: file, key: "", problem: "must be a YAML mapping of keys to values")
        }
        return try YAMLReader(file: file, path: "", node: mapping, environment: environment, envPrefix: envPrefix, allowed: allowed,
                              marks: marks, consulted: ConsultedNames())
    }

    init(file: String, path: String, node: [String: Any], environment: [String: String], envPrefix: String?, allowed: Set<String>,
         marks: [String: (line: Int, column: Int)], consulted: ConsultedNames) throws {
        self.file = file
        self.path = path
        self.node = node
        self.environment = environment
        self.envPrefix = envPrefix
        self.allowed = allowed
        self.marks = marks
        self.consulted = consulted
        for key in node.keys.sorted() where !allowed.contains(key) {
            throw locate(ConfigError(file: file, key: full(key),
                                     problem: "is not a known key (known here: \(allowed.sorted().joined(separator: ", ")))"))
        }
    }

    /// Key paths and where each key (or list item) starts.
    static func marks(of node: Node?, path: String = "") -> [String: (line: Int, column: Int)] {
        var marks: [String: (line: Int, column: Int)] = [:]
        switch node {
        case let .mapping(mapping)?:
            for (key, value) in mapping {
                guard let name = key.string else { continue }
                let full = path.isEmpty ? name : "\(path).\(name)"
                if let mark = key.mark { marks[full] = (mark.line, mark.column) }
                marks.merge(Self.marks(of: value, path: full)) { first, _ in first }
            }
        case let .sequence(sequence)?:
            for (index, item) in sequence.enumerated() {
                let full = "\(path)[\(index)]"
                if let mark = item.mark { marks[full] = (mark.line, mark.column) }
                marks.merge(Self.marks(of: item, path: full)) { first, _ in first }
            }
        default:
            break
        }
        return marks
    }

    /// `error` with the line and column of its key, or of the nearest enclosing key the file has (a missing
    /// key is reported where its section starts). An error from an environment variable names the variable.
    func locate(_ error: ConfigError) -> ConfigError {
        guard error.line == nil, !error.key.isEmpty else { return error }
        var located = error
        if let name = envName(forPath: error.key), environment[name] != nil {
            located.problem += " (set by the environment variable \(name))"
            return located
        }
        var key = error.key
        while !key.isEmpty {
            if let mark = marks[key] {
                located.line = mark.line
                located.column = mark.column
                return located
            }
            guard let cut = key.lastIndex(where: { $0 == "." || $0 == "[" }) else { break }
            key = String(key[..<cut])
        }
        return located
    }

    /// `FIRSTASK_…` variables that no key was read under: a misspelt override would otherwise be ignored.
    func unusedEnvironmentVariables() -> [String] {
        guard let envPrefix else { return [] }
        return environment.keys.filter { $0.hasPrefix(envPrefix) && !consulted.names.contains($0) }.sorted()
    }

    func full(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private func envName(_ key: String) -> String? { envName(forPath: full(key)) }

    private func envName(forPath path: String) -> String? {
        guard let envPrefix else { return nil }
        let dotted = path.replacingOccurrences(of: "[", with: ".").replacingOccurrences(of: "]", with: "")
        return envPrefix + dotted.uppercased().replacingOccurrences(of: ".", with: "_")
    }

    private func raw(_ key: String) -> Any? {
        if let name = envName(key) {
            consulted.names.insert(name)
            if let value = environment[name] { return value }
        }
        return node[key]
    }

    func has(_ key: String) -> Bool { raw(key) != nil }

    func string(_ key: String) throws -> String {
        guard let value = try optionalString(key) else { throw ConfigError(file: file, key: full(key), problem: "is missing") }
        return value
    }

    func optionalString(_ key: String) throws -> String? {
        switch raw(key) {
        case nil, is NSNull: return nil
        case let value as String:
            guard !value.isEmpty else { throw ConfigError(file: file, key: full(key), problem: "must not be empty") }
            return value
        case let value as Int: return String(value)
        default: throw ConfigError(file: file, key: full(key), problem: "must be a string")
        }
    }

    func bool(_ key: String, default fallback: Bool) throws -> Bool {
        switch raw(key) {
        case nil, is NSNull: return fallback
        case let value as Bool: return value
        case let value as String where ["true", "yes", "on", "1"].contains(value.lowercased()): return true
        case let value as String where ["false", "no", "off", "0"].contains(value.lowercased()): return false
        default: throw ConfigError(file: file, key: full(key), problem: "must be true or false")
        }
    }

    func double(_ key: String, default fallback: Double, range: ClosedRange<Double>) throws -> Double {
        let value: Double
        switch raw(key) {
        case nil, is NSNull: return fallback
        case let number as Int: value = Double(number)
        case let number as Double: value = number
        case let text as String:
            guard let number = Double(text) else { throw ConfigError(file: file, key: full(key), problem: "must be a number") }
            value = number
        default: throw ConfigError(file: file, key: full(key), problem: "must be a number")
        }
        guard range.contains(value) else {
            throw ConfigError(file: file, key: full(key), problem: "must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return value
    }

    func int(_ key: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
        let value: Int
        switch raw(key) {
        case nil: return fallback
        case let number as Int: value = number
        case let text as String:
            guard let number = Int(text.trimmingCharacters(in: .whitespaces)) else {
                throw ConfigError(file: file, key: full(key), problem: "must be a whole number")
            }
            value = number
        default: throw ConfigError(file: file, key: full(key), problem: "must be a whole number")
        }
        guard range.contains(value) else {
            throw ConfigError(file: file, key: full(key), problem: "must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return value
    }

    /// Seconds, written as a number (`30`, `0.5`) or with a unit (`500ms`, `30s`, `15m`, `4h`).
    func duration(_ key: String) throws -> Double? {
        let problem = "must be a duration such as 30, 30s, 15m or 4h"
        switch raw(key) {
        case nil: return nil
        case let number as Int: return Double(number)
        case let number as Double: return number
        case let text as String:
            guard let seconds = Self.parseDuration(text) else { throw ConfigError(file: file, key: full(key), problem: problem) }
            return seconds
        default: throw ConfigError(file: file, key: full(key), problem: problem)
        }
    }

    static func parseDuration(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        for (suffix, factor) in [("ms", 0.001), ("s", 1.0), ("m", 60.0), ("h", 3600.0), ("d", 86400.0)] where trimmed.hasSuffix(suffix) {
            guard let value = Double(trimmed.dropLast(suffix.count)), value >= 0 else { return nil }
            return value * factor
        }
        guard let value = Double(trimmed), value >= 0 else { return nil }
        return value
    }

    /// The section `key`; an absent section that environment variables set keys of reads as empty, so
    /// `FIRSTASK_ADMIN_TOKEN` works without an `admin:` section in the file.
    func mapping(_ key: String, allowed: Set<String>) throws -> YAMLReader? {
        var value = node[key]
        if value == nil || value is NSNull, let name = envName(key), environment.keys.contains(where: { $0.hasPrefix(name + "_") }) {
            value = [String: Any]()
        }
        switch value {
        case nil, is NSNull: return nil
        case let mapping as [String: Any]:
            return try YAMLReader(file: file, path: full(key), node: mapping, environment: environment, envPrefix: envPrefix, allowed: allowed,
                                  marks: marks, consulted: consulted)
        default: throw ConfigError(file: file, key: full(key), problem: "must be a mapping of keys to values")
        }
    }

    /// The items of a list of mappings, each with its own reader (`channels[0]`, `channels[1]`…).
    func list(_ key: String, allowed: Set<String>) throws -> [YAMLReader] {
        switch node[key] {
        case nil, is NSNull: return []
        case let items as [Any]:
            return try items.enumerated().map { index, item in
                guard let mapping = item as? [String: Any] else {
                    throw ConfigError(file: file, key: "\(full(key))[\(index)]", problem: "must be a mapping of keys to values")
                }
                return try YAMLReader(file: file, path: "\(full(key))[\(index)]", node: mapping, environment: environment,
                                      envPrefix: envPrefix, allowed: allowed, marks: marks, consulted: consulted)
            }
        default: throw ConfigError(file: file, key: full(key), problem: "must be a list")
        }
    }

    func stringList(_ key: String) throws -> [String]? {
        switch node[key] {
        case nil, is NSNull: return nil
        case let items as [Any]:
            return try items.enumerated().map { index, item in
                if let text = item as? String { return text }
                if let number = item as? Int { return String(number) }
                throw ConfigError(file: file, key: "\(full(key))[\(index)]", problem: "must be a string")
            }
        default: throw ConfigError(file: file, key: full(key), problem: "must be a list of strings")
        }
    }
}
