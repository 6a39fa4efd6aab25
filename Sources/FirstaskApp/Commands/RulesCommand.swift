import ArgumentParser
import FirstaskClassifier
import Foundation

/// `firstask rules check|test|eval|diff|corrections|suggest`: tools for admins tuning `prompts/rules.yaml`.
struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Check, try out and evaluate classification rules; learn from staff corrections.",
        subcommands: [RulesCheck.self, RulesTest.self, RulesEval.self, RulesDiff.self, RulesCorrections.self, RulesSuggest.self, RulesTrain.self])

    /// The rules file to use: `--rules` or the shipped `prompts/rules.yaml`.
    static func path(_ option: String?) throws -> String {
        try option ?? ShippedFiles.locate("prompts/rules.yaml")
    }

    /// Reads and parses a rules file; a problem is printed as `FILE:LINE: message` and exits with `code`.
    static func load(_ path: String, failure code: Int32, learned: Bool = true) throws -> RuleSet {
        do {
            return try Prompts.loadRules(path, learned: learned)
        } catch let error as ClassifierError {
            printError(Self.describe(error, file: path))
        } catch {
            printError("\(error)")
        }
        throw ExitCode(code)
    }

    /// `FILE:LINE:COLUMN: message` (regex errors), `FILE:LINE: message`, or `FILE: message` when the
    /// line is not known.
    static func describe(_ error: ClassifierError, file: String) -> String {
        if let line = error.line, let column = error.column { return "\(file):\(line):\(column): \(error.message)" }
        if let line = error.line { return "\(file):\(line): \(error.message)" }
        return "\(file): \(error.message)"
    }

    /// Reads a JSON-lines corpus file with `parse`; a problem is printed with the file name and exits 2.
    static func readCorpus<T>(_ path: String, _ parse: (String) throws -> T) throws -> T {
        do {
            return try parse(try Prompts.readText(path))
        } catch let error as CorpusError {
            printError("error: \(path): \(error)")
        } catch {
            printError("error: \(error)")
        }
        throw ExitCode(2)
    }

    static func printError(_ text: String) {
        FileHandle.standardError.write(Data("\(text)\n".utf8))
    }
}

/// `firstask rules check FILE`: parses and validates a rules file.
struct RulesCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a rules file; prints 'FILE: ok (N rules, version V)' or 'FILE:LINE: problem' and exits 1.")

    @Argument(help: "The rules YAML file to check.")
    var file: String

    func run() throws {
        switch RulesFileCheck.check(file) {
        case let .ok(summary):
            print(summary)
        case let .failed(problem):
            RulesCommand.printError(problem)
            throw ExitCode(1)
        }
    }
}

/// What `firstask rules check` says about one rules file.
public enum RulesFileCheck: Sendable, Equatable {
    /// The file is usable: `FILE: ok (N rules, version V)`.
    case ok(String)
    /// The file is not usable: `FILE:LINE: problem` (or `FILE: problem` when the line is not known).
    case failed(String)

    /// Reads, parses and validates the rules file at `path`.
    public static func check(_ path: String) -> RulesFileCheck {
        do {
            let rules = try Prompts.loadRules(path)
            let model = rules.learned.map { ", learned model \($0.grams.count) grams" } ?? ""
            return .ok("\(path): ok (\(rules.ruleCount) rules\(model), version \(rules.version))")
        } catch let error as ClassifierError {
            return .failed(RulesCommand.describe(error, file: path))
        } catch {
            return .failed("\(error)")
        }
    }
}

/// `firstask rules test "message"`: how the rules read one message, in plain words.
struct RulesTest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Show how the rules classify one message and which rules fired.")

    @Argument(help: "The message text, as a resident would write it.")
    var message: String

    @Option(name: .long, help: "Rules file (default: the shipped prompts/rules.yaml).")
    var rules: String?

    func run() throws {
        let ruleSet = try RulesCommand.load(try RulesCommand.path(rules), failure: 1)
        print(Self.explain(Classifier(rules: ruleSet).classify(message)))
    }

    /// The labels of one verdict, one per line, for people rather than programs.
    static func explain(_ result: Classification) -> String {
        let location: String
        if let place = result.location {
            location = [("building", place.building), ("unit", place.unit), ("room", place.room)]
                .compactMap { name, value in value.map { "\(name) \($0)" } }.joined(separator: ", ")
        } else {
            location = "none found"
        }
        return """
            intent:      \(result.intent.rawValue)
            category:    \(result.category.rawValue)
            department:  \(result.department.rawValue)
            severity:    \(result.severity.rawValue)
            location:    \(location)
            confidence:  \(String(format: "%.2f", result.confidence)) (0 = unclear, 1 = clear)
            phones:      \(result.phones.isEmpty ? "none found" : result.phones.map { "\($0.e164) (\($0.kind.rawValue))" }.joined(separator: ", "))
            missing:     \(result.missing.isEmpty ? "nothing" : result.missing.joined(separator: ", "))
            rules fired: \(result.rules.isEmpty ? "none (defaults applied)" : result.rules.joined(separator: ", "))
            """ + evidence(result)
    }

    /// One line per fired rule: what it matched and where, e.g. `rule plumbing.leak fired on «漏水» at 5–7`.
    /// Positions count characters (Unicode scalars) of the message from 0; the end is exclusive.
    static func evidence(_ result: Classification) -> String {
        guard !result.rules.isEmpty else { return "" }
        var lines = ["", "why (positions count characters from 0; the end is not included):"]
        for rule in result.rules {
            let spans = result.spans.filter { $0.rule == rule }
            let places = spans.map { "«\($0.text)» at \($0.start)–\($0.end)" }
            lines.append("  rule \(rule) fired on \(places.isEmpty ? "(no text)" : places.joined(separator: ", "))")
        }
        return lines.joined(separator: "\n")
    }
}

/// `firstask rules eval --corpus FILE`: quality figures over a labelled corpus, with pass/fail thresholds.
struct RulesEval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate the rules on a labelled corpus (JSON lines); exits 1 when a threshold is not met, 2 on a bad corpus.")

    @Option(name: .long, help: "Labelled corpus: JSON lines with id, text, intent, category, severity, location.")
    var corpus: String

    @Option(name: .long, help: "Rules file (default: the shipped prompts/rules.yaml).")
    var rules: String?

    @Option(name: .long, help: "Minimum category accuracy (0…1).")
    var minCategory: Double = 0.95

    @Option(name: .long, help: "Minimum intent accuracy (0…1).")
    var minIntent: Double = 0.92

    @Option(name: .long, help: "Minimum recall of emergencies (0…1).")
    var minEmergencyRecall: Double = 1.0

    @Option(name: .long, help: "Minimum precision of emergency verdicts (0…1).")
    var minEmergencyPrecision: Double = 0.9

    @Option(name: .long, help: "Minimum recall of major complaints (0…1).")
    var minMajorRecall: Double = 0.95

    @Option(name: .long, help: "Minimum recall of major-or-emergency messages given major or emergency (0…1).")
    var minMajorOrWorseRecall: Double = 0.9

    @Option(name: .long, help: "Minimum recall of staff-conduct complaints (0…1).")
    var minConductRecall: Double = 0.9

    @Option(name: .long, help: "Minimum exact location match rate (0…1).")
    var minLocation: Double = 0.95

    func validate() throws {
        for (name, value) in [("--min-category", minCategory), ("--min-intent", minIntent),
                              ("--min-emergency-recall", minEmergencyRecall),
                              ("--min-emergency-precision", minEmergencyPrecision),
                              ("--min-major-recall", minMajorRecall), ("--min-major-or-worse-recall", minMajorOrWorseRecall),
                              ("--min-conduct-recall", minConductRecall), ("--min-location", minLocation)]
        where !(0...1).contains(value) {
            throw ValidationError("\(name) must be between 0 and 1")
        }
    }

    var thresholds: RulesEvaluation.Thresholds {
        var thresholds = RulesEvaluation.Thresholds()
        thresholds.category = minCategory
        thresholds.intent = minIntent
        thresholds.emergencyRecall = minEmergencyRecall
        thresholds.emergencyPrecision = minEmergencyPrecision
        thresholds.majorRecall = minMajorRecall
        thresholds.majorOrWorseRecall = minMajorOrWorseRecall
        thresholds.staffConductRecall = minConductRecall
        thresholds.location = minLocation
        return thresholds
    }

    func run() throws {
        let ruleSet = try RulesCommand.load(try RulesCommand.path(rules), failure: 2)
        let entries = try RulesCommand.readCorpus(corpus, Corpus.parse)
        let evaluation = RulesEvaluation(corpus: entries, classifier: Classifier(rules: ruleSet))
        print(evaluation.report())
        let failed = evaluation.failures(thresholds)
        print("")
        if failed.isEmpty {
            print("all thresholds met")
        } else {
            print("thresholds not met: \(failed.joined(separator: "; "))")
            throw ExitCode(1)
        }
    }
}
