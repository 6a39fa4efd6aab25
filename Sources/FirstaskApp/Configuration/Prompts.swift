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
            rules = try loadRules(rulesPath)
        } catch let error as ClassifierError {
            throw ConfigError(file: rulesPath, key: "", problem: error.message, line: error.line, column: error.column)
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

        let commands = try readCommandWords(folder + "/commands.yaml")
        return Prompts(rules: rules, templates: templates, commands: commands)
    }

    public func desk(policy: DeskPolicy, defaultChannel: String? = nil) -> Desk {
        Desk(classifier: Classifier(rules: rules), templates: templates, commands: commands, policy: policy,
             defaultChannel: defaultChannel)
    }

    /// `commands.yaml`: a word list per staff verb, `departments`, `severities`, `categories`, `patrol_normal` and
    /// `resident` word lists. Every severity and every category needs a name, so staff can correct to any of them.
    static func readCommandWords(_ path: String) throws -> CommandWords {
        let table = try mapping(path)
        func words(_ value: Any?, key: String) throws -> [String] {
            guard let list = value as? [Any] else { throw ConfigError(file: path, key: key, problem: "must be a list of words") }
            let words = try list.map { item -> String in
                guard let word = item as? String ?? (item as? Int).map(String.init) else {
                    throw ConfigError(file: path, key: key, problem: "must list words (strings)")
                }
                return word
            }
            guard !words.isEmpty else { throw ConfigError(file: path, key: key, problem: "is empty: list at least one word") }
            return words
        }
        func section(_ key: String) throws -> [String: Any] {
            guard let value = table[key] as? [String: Any] else {
                throw ConfigError(file: path, key: key, problem: "is missing or not a mapping")
            }
            return value
        }
        var verbs: [StaffCommand.Verb: [String]] = [:]
        let sections: Set<String> = ["departments", "severities", "categories", "patrol_normal", "resident"]
        for (key, value) in table where !sections.contains(key) {
            guard let verb = StaffCommand.Verb(rawValue: key) else {
                throw ConfigError(file: path, key: key, problem:
                    "is not a command (known: \(StaffCommand.Verb.allCases.map(\.rawValue).joined(separator: ", ")), "
                        + "or a section: \(sections.sorted().joined(separator: ", ")))")
            }
            verbs[verb] = try words(value, key: key)
        }
        for verb in StaffCommand.Verb.allCases where verbs[verb] == nil {
            throw ConfigError(file: path, key: verb.rawValue, problem: "is missing: list at least one word")
        }
        var departments: [Department: [String]] = [:]
        for (key, value) in try section("departments") {
            guard let department = Department(rawValue: key) else {
                throw ConfigError(file: path, key: "departments.\(key)", problem:
                    "is not a department (known: \(Department.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            departments[department] = try words(value, key: "departments.\(key)")
        }
        /// A section naming every value of a label: `severities` or `categories`.
        func names<Value: RawRepresentable & Hashable & CaseIterable>(_ key: String, _: Value.Type) throws -> [Value: [String]]
        where Value.RawValue == String {
            var result: [Value: [String]] = [:]
            for (name, value) in try section(key) {
                guard let label = Value(rawValue: name) else {
                    throw ConfigError(file: path, key: "\(key).\(name)", problem:
                        "is not known (known: \(Value.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                result[label] = try words(value, key: "\(key).\(name)")
            }
            if let missing = Value.allCases.first(where: { result[$0] == nil }) {
                throw ConfigError(file: path, key: "\(key).\(missing.rawValue)", problem: "is missing: list at least one word")
            }
            return result
        }
        let severities = try names("severities", Severity.self)
        let categories = try names("categories", Category.self)
        let resident = try section("resident")
        let known: Set<String> = ["status", "solved", "unsolved", "follow_up"]
        if let unknown = resident.keys.first(where: { !known.contains($0) }) {
            throw ConfigError(file: path, key: "resident.\(unknown)", problem: "is not known (known: \(known.sorted().joined(separator: ", ")))")
        }
        let residentWords = ResidentWords(
            status: try words(resident["status"], key: "resident.status"),
            solved: try words(resident["solved"], key: "resident.solved"),
            unsolved: try words(resident["unsolved"], key: "resident.unsolved"),
            followUp: try words(resident["follow_up"], key: "resident.follow_up"))
        return CommandWords(verbs, departments: departments, severities: severities, categories: categories,
                            patrolNormal: try words(table["patrol_normal"], key: "patrol_normal"), resident: residentWords)
    }

    static func readText(_ path: String) throws -> String { try ConfigFile.text(at: path) }

    /// The rules file at `path`, with the learned model beside it (`ngram-model.tsv` in the same folder)
    /// attached when that file exists. Throws `ClassifierError` for the rules, `ConfigError` for the model.
    public static func loadRules(_ path: String, learned: Bool = true) throws -> RuleSet {
        let rules = try RuleSet.parse(yaml: try readText(path))
        let modelPath = modelPath(besideRules: path)
        guard learned, FileManager.default.fileExists(atPath: modelPath) else { return rules }
        do {
            return rules.attaching(try NgramModel.parse(try readText(modelPath)))
        } catch let error as NgramModelError {
            throw ConfigError(file: modelPath, key: "", problem: error.message, line: error.line == 0 ? nil : error.line)
        }
    }

    /// Where the learned model for the rules file at `path` lives.
    public static func modelPath(besideRules path: String) -> String {
        (URL(fileURLWithPath: path).deletingLastPathComponent().path) + "/" + NgramModel.fileName
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
            let syntax = YAMLSyntaxError(error)
            throw ConfigError(file: path, key: "", problem: "is not valid YAML: \(syntax.problem)", line: syntax.line, column: syntax.column)
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
}
