import ArgumentParser
import FirstaskChannels
import FirstaskClassifier
import Foundation

/// `firstask classify [--rules FILE]`: JSON lines `{"id", "text"}` in, one JSON line of labels out per input.
struct ClassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Classify JSON lines {\"id\": …, \"text\": …} from stdin; write one JSON line of labels per input.")

    @Option(name: .long, help: "Rules file (default: the shipped prompts/rules.yaml).")
    var rules: String?

    func run() throws {
        let path = try rules ?? ShippedFiles.locate("prompts/rules.yaml")
        let ruleSet: RuleSet
        do {
            ruleSet = try Prompts.loadRules(path)
        } catch {
            throw exitForConfig(error is ConfigError ? error : ConfigError(file: path, key: "", problem: "\(error)"))
        }
        let classifier = Classifier(rules: ruleSet)
        var failures = 0
        var lineNumber = 0
        while let line = readLine(strippingNewline: true) {
            lineNumber += 1
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let output: [String: Any]
            switch Self.parse(line) {
            case let .success((id, text)):
                output = Self.labels(id: id, classifier.classify(text))
            case let .failure(problem):
                failures += 1
                FileHandle.standardError.write(Data("error: stdin line \(lineNumber): \(problem.text)\n".utf8))
                output = ["id": NSNull(), "error": "line \(lineNumber): \(problem.text)"]
            }
            let data = try JSONSerialization.data(withJSONObject: output, options: [.sortedKeys, .withoutEscapingSlashes])
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        }
        if failures > 0 { throw ExitCode(1) }
    }

    struct Problem: Error { var text: String }

    static func parse(_ line: String) -> Result<(Any, String), Problem> {
        guard let object = try? StrictJSON.object(line.utf8) else {
            return .failure(Problem(text: "not a JSON object"))
        }
        guard let text = object["text"] as? String else { return .failure(Problem(text: "no \"text\" string")) }
        return .success((object["id"] ?? NSNull(), text))
    }

    static func labels(id: Any, _ result: Classification) -> [String: Any] {
        var location: Any = NSNull()
        if let place = result.location {
            var fields: [String: String] = [:]
            fields["building"] = place.building
            fields["unit"] = place.unit
            fields["room"] = place.room
            location = fields
        }
        return [
            "id": id, "intent": result.intent.rawValue, "category": result.category.rawValue,
            "department": result.department.rawValue, "severity": result.severity.rawValue, "location": location,
            "confidence": (result.confidence * 1000).rounded() / 1000, "rules": result.rules,
            // Offsets count Unicode scalars of the input text, end exclusive.
            "spans": result.spans.map { ["rule": $0.rule, "text": $0.text, "start": $0.start, "end": $0.end] as [String: Any] },
            "phones": result.phones.map {
                ["e164": $0.e164, "kind": $0.kind.rawValue, "start": $0.range.lowerBound, "end": $0.range.upperBound] as [String: Any]
            },
        ]
    }
}
