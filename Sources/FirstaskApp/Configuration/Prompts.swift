import FirstaskClassifier
import FirstaskDesk
import Foundation
import Yams

/// Everything the gateway says or recognises in human language, loaded from the prompts folder:
/// `rules.yaml` (classification), `commands.yaml` (staff command words) and `templates/<locale>.yaml`.
public struct Prompts: Sendable {
    public var rules: RuleSet
    public var templates: Templates
    public var commands: CommandWords

    /// Loads and checks the whole folder; an error names the file and key at fault.
    public static func load(folder: String) throws -> Prompts {
        let rulesPath = folder + "/rules.yaml"
        let rules: RuleSet
        do {
            rules = try RuleSet.parse(yaml: try readText(rulesPath))
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError(file: rulesPath, key: "", problem: "\(error)")
        }

        var texts: [ReplyLocale: [String: String]] = [:]
        for locale in ReplyLocale.allCases {
            let path = "\(folder)/templates/\(locale.rawValue).yaml"
            texts[locale] = try flatStrings(path)
        }
        let templates = Templates(texts)
        if let missing = templates.missingKeys().first {
            throw ConfigError(file: "\(folder)/templates", key: missing, problem: "is missing: every locale needs every template")
        }

        let commandsPath = folder + "/commands.yaml"
        let table = try flatStringLists(commandsPath)
        var words: [StaffCommand.Verb: [String]] = [:]
        for (key, list) in table {
            guard let verb = StaffCommand.Verb(rawValue: key) else {
                throw ConfigError(file: commandsPath, key: key, problem:
                    "is not a command (known: \(StaffCommand.Verb.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            words[verb] = list
        }
        for verb in StaffCommand.Verb.allCases where (words[verb] ?? []).isEmpty {
            throw ConfigError(file: commandsPath, key: verb.rawValue, problem: "is missing: list at least one word")
        }
        return Prompts(rules: rules, templates: templates, commands: CommandWords(words))
    }

    public func desk(policy: DeskPolicy) -> Desk {
        Desk(classifier: Classifier(rules: rules), templates: templates, commands: commands, policy: policy)
    }

    static func readText(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, key: "", problem: "cannot be read (missing or not permitted)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, key: "", problem: "is not UTF-8 text")
        }
        return text
    }

    static func mapping(_ path: String) throws -> [String: Any] {
        let text = try readText(path)
        do {
            guard let mapping = try Yams.load(yaml: text) as? [String: Any] else {
                throw ConfigError(file: path, key: "", problem: "must be a YAML mapping")
            }
            return mapping
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError(file: path, key: "", problem: "is not valid YAML: \(YAMLReader.describe(error))")
        }
    }

    static func flatStrings(_ path: String) throws -> [String: String] {
        try mapping(path).reduce(into: [:]) { result, entry in
            guard let text = entry.value as? String else {
                throw ConfigError(file: path, key: entry.key, problem: "must be a string")
            }
            result[entry.key] = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    static func flatStringLists(_ path: String) throws -> [String: [String]] {
        try mapping(path).reduce(into: [:]) { result, entry in
            guard let list = entry.value as? [Any] else {
                throw ConfigError(file: path, key: entry.key, problem: "must be a list of words")
            }
            result[entry.key] = try list.map { item in
                guard let word = item as? String ?? (item as? Int).map(String.init) else {
                    throw ConfigError(file: path, key: entry.key, problem: "must list words (strings)")
                }
                return word
            }
        }
    }
}
