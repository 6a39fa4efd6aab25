import Foundation
import Testing
@testable import FirstaskApp
@testable import FirstaskClassifier
import FirstaskTesting

/// A rules file with one category rule and one severity rule, for the learned component to fill in around.
private let smallRules = testCategoriesYAML + """
    rules:
      - { id: elevator.lift, category: elevator, any: [电梯, lift] }
      - { id: severity.repeated, severity: major, any: ["{n}次了"] }
    """

/// A toy corpus the model must learn: smoke and 冒烟 are emergencies, rubbish and 垃圾 and opening hours general.
private func toyExamples() -> [NgramTrainer.Example] {
    var examples: [NgramTrainer.Example] = []
    for place in ["kitchen", "corridor", "meter room", "lobby", "garage", "厨房", "楼道", "电表房", "大堂", "车库"] {
        examples.append(.init(text: "smoke pouring out of the \(place) now", severity: "emergency"))
        examples.append(.init(text: "\(place)一直在冒烟 好大的烟", severity: "emergency"))
        examples.append(.init(text: "rubbish piled up in the \(place) again", severity: "general"))
        examples.append(.init(text: "\(place)的垃圾没人收", severity: "general"))
        examples.append(.init(text: "what time does the \(place) open", severity: "general"))
    }
    return examples
}

private func toyModel() -> NgramModel {
    var trainer = NgramTrainer()
    trainer.minimumDocuments = 2
    return trainer.train(toyExamples())
}

@Suite("Learned n-gram model")
struct NgramModelTests {
    @Test("training is deterministic and the file reads back to the same model")
    func deterministicRoundTrip() throws {
        let first = toyModel().serialized()
        #expect(toyModel().serialized() == first)
        let parsed = try NgramModel.parse(first)
        #expect(parsed.serialized() == first)
        #expect(parsed.grams.count > 10)
        #expect(parsed.grams.contains("冒烟"))
    }

    @Test("where no rule speaks the model decides, with the grams that decided as evidence")
    func modelFillsSilence() throws {
        let rules = try RuleSet.parse(yaml: smallRules).attaching(NgramModel.parse(toyModel().serialized()))
        let classifier = Classifier(rules: rules)
        let result = classifier.classify("地下室冒烟了")
        #expect(result.severity == .emergency)
        // It never chooses a category: "no category" tells the desk a message brings no new topic.
        #expect(result.category == .general)
        #expect(result.rules == ["learned.severity.emergency"])
        let grams = result.spans.filter { $0.rule == "learned.severity.emergency" }.map(\.text)
        #expect(grams.contains { $0.contains("烟") }, "\(grams)")
        // The evidence points at the resident's own characters, traditional script included.
        let traditional = classifier.classify("地下室冒煙了")
        #expect(traditional.severity == .emergency)
        #expect(traditional.spans.allSatisfy { span in "地下室冒煙了".contains(span.text) })
        #expect(classifier.classify("垃圾又堆满了").severity == .general)
        #expect(rules.version.contains("+"))
    }

    @Test("rules decide whenever they fire: a fired severity rule is never overridden")
    func rulesDecide() throws {
        let rules = try RuleSet.parse(yaml: smallRules).attaching(NgramModel.parse(toyModel().serialized()))
        let classifier = Classifier(rules: rules)
        // A category rule fired and no severity rule: the category is the rule's, the severity the model's.
        let lift = classifier.classify("电梯里冒烟")
        #expect(lift.category == .elevator && lift.severity == .emergency)
        // A severity rule fired (major): the model's emergency does not replace it.
        let repeated = classifier.classify("冒烟3次了")
        #expect(repeated.severity == .major)
        #expect(!repeated.rules.contains { $0.hasPrefix("learned.severity") })
        // Without the model the same rules leave silence as it was.
        let bare = Classifier(rules: try RuleSet.parse(yaml: smallRules)).classify("地下室冒烟了")
        #expect(bare.severity == .general && bare.category == .general && bare.rules.isEmpty)
    }

    @Test("a broken model file names the line and never echoes a gram", arguments: [
        ("gram\t秘密\t1\t0,0", 5, "weights"),
        ("format\t2", 1, "unsupported format"),
        ("weights\t秘密", 5, "unknown line kind"),
    ])
    func brokenFile(line: String, at lineNumber: Int, problem: String) throws {
        let good = toyModel().serialized().split(separator: "\n").map(String.init)
        // After the format, thresholds, head and bias lines: where the grams begin.
        var lines = Array(good.prefix(4)) + [line] + good.dropFirst(4)
        if line.hasPrefix("format") { lines = [line] + good.dropFirst() }
        let error = try #require(throws: NgramModelError.self) { try NgramModel.parse(lines.joined(separator: "\n")) }
        #expect(error.line == lineNumber)
        #expect(error.description.contains(problem), "\(error)")
        #expect(!error.description.contains("秘密"))
    }

    @Test("the prompts loader attaches the model beside the rules; a bad one is a configuration error naming it")
    func loaderAttaches() throws {
        let folder = try RepositoryFiles.temporaryFolder("ngram")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try smallRules.write(toFile: folder + "/rules.yaml", atomically: true, encoding: .utf8)
        #expect(try Prompts.loadRules(folder + "/rules.yaml").learned == nil)
        try toyModel().serialized().write(toFile: folder + "/" + NgramModel.fileName, atomically: true, encoding: .utf8)
        let rules = try Prompts.loadRules(folder + "/rules.yaml")
        #expect(rules.learned != nil)
        #expect(try Prompts.loadRules(folder + "/rules.yaml", learned: false).learned == nil)
        try "format\t1\nbias\tseverity\t1,2,3\n".write(toFile: folder + "/" + NgramModel.fileName, atomically: true, encoding: .utf8)
        let error = try #require(throws: ConfigError.self) { try Prompts.loadRules(folder + "/rules.yaml") }
        #expect(error.file.hasSuffix(NgramModel.fileName))
        #expect(error.line == 2)
    }

    @Test("the shipped model was trained on every fixture but the last round (round 21 stays unseen)")
    func shippedModelTrainingSet() throws {
        let root = URL(fileURLWithPath: RepositoryFiles.prompts).deletingLastPathComponent().path
        let fixtures = root + "/Tests/FirstaskTests/Fixtures"
        let files = try FileManager.default.contentsOfDirectory(atPath: fixtures)
            .filter { $0.hasSuffix(".jsonl") && $0 != "round-21.jsonl" }.sorted()
        let shipped = try String(contentsOfFile: RepositoryFiles.prompts + "/" + NgramModel.fileName, encoding: .utf8)
        let header = shipped.split(separator: "\n").prefix(2)
        #expect(header.last?.contains("Trained on \(try files.map { try Corpus.parse(String(contentsOfFile: fixtures + "/" + $0, encoding: .utf8)).count }.reduce(0, +)) corpus messages") == true,
                "retrain with `firstask rules train` over every fixture but round-21")
    }
}
