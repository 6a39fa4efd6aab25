import FirstaskApp
import FirstaskClassifier
import FirstaskTesting
import Foundation
import Testing

@Suite("rules commands")
struct RulesCommandTests {
    private func labels(_ intent: Intent, _ category: Category, _ severity: Severity,
                        _ location: Location? = nil) -> MessageLabels {
        MessageLabels(intent: intent, category: category,
                      department: category == .noise ? .security : .engineering,
                      severity: severity, location: location)
    }

    @Test("computes accuracy, precision, recall and confusions from expected and predicted labels")
    func metricsMath() {
        let room = Location(building: "3", unit: "2", room: "501")
        let evaluation = RulesEvaluation(samples: [
            // exact
            .init(id: "a", expected: labels(.repair, .plumbing, .emergency, room), predicted: labels(.repair, .plumbing, .emergency, room)),
            // emergency missed, location differs
            .init(id: "b", expected: labels(.repair, .plumbing, .emergency, room),
                  predicted: labels(.repair, .plumbing, .general, Location(building: "3", room: "501"))),
            // wrong category and intent
            .init(id: "c", expected: labels(.complaint, .noise, .general), predicted: labels(.repair, .plumbing, .general)),
            // false emergency, major missed
            .init(id: "d", expected: labels(.complaint, .noise, .major), predicted: labels(.complaint, .noise, .emergency)),
        ])
        #expect(evaluation.intentAccuracy == 0.75)
        #expect(evaluation.categoryAccuracy == 0.75)
        #expect(evaluation.departmentAccuracy == 0.75)
        #expect(evaluation.severityAccuracy == 0.5)
        #expect(evaluation.locationMatchRate == 0.75)  // nil vs nil matches
        #expect(evaluation.emergencyRecall == 0.5)
        #expect(evaluation.emergencyPrecision == 0.5)
        #expect(evaluation.majorRecall == 0)
        // a and d reach a head or the control room (d as an emergency), b does not.
        #expect(evaluation.majorOrWorseRecall == 2.0 / 3.0)
        #expect(evaluation.staffConductRecall == nil)  // no conduct complaint expected: cannot fail

        let plumbing = evaluation.categoryScores.first { $0.label == "plumbing" }
        #expect(plumbing?.support == 2 && plumbing?.predictedCount == 3 && plumbing?.truePositives == 2)
        #expect(plumbing?.precision == 2.0 / 3.0)
        #expect(plumbing?.recall == 1)
        let praise = evaluation.intentScores.first { $0.label == "praise" }
        #expect(praise?.precision == nil && praise?.recall == nil)

        #expect(evaluation.categoryConfusions == [.init(expected: .noise, predicted: .plumbing, count: 1)])
        #expect(evaluation.misclassified.map(\.id) == ["b", "c", "d"])
        #expect(evaluation.misclassified[0].differences == ["severity emergency→general", "location 3/2/501→3/-/501"])

        let failed = evaluation.failures(RulesEvaluation.Thresholds())
        #expect(failed.count == 7)
        #expect(failed.contains("major-or-worse recall 66.7% < 90.0%"))
        var lenient = RulesEvaluation.Thresholds()
        lenient.category = 0.7; lenient.intent = 0.7; lenient.emergencyRecall = 0.5
        lenient.emergencyPrecision = 0.5; lenient.majorRecall = 0; lenient.location = 0.75
        lenient.majorOrWorseRecall = 0.6
        #expect(evaluation.failures(lenient).isEmpty)
        let report = evaluation.report()
        #expect(report.contains("noise → plumbing: 1"))
        #expect(report.contains("c: intent complaint→repair, category noise→plumbing"))
    }

    @Test("the shipped rules meet the default thresholds on the dev corpus")
    func devCorpusMeetsThresholds() throws {
        let rules = try RuleSet.parse(yaml: String(contentsOfFile: RepositoryFiles.prompts + "/rules.yaml", encoding: .utf8))
        let text = try String(contentsOf: RepositoryFiles.root.appendingPathComponent("Tests/FirstaskTests/Fixtures/dev.jsonl"),
                              encoding: .utf8)
        let corpus = try Corpus.parse(text)
        #expect(corpus.count == 400)
        let evaluation = RulesEvaluation(corpus: corpus, classifier: Classifier(rules: rules))
        let failed = evaluation.failures(RulesEvaluation.Thresholds())
        #expect(failed.isEmpty, "\(failed)")
    }

    @Test("a bad corpus line is reported with its line number and without the message text")
    func badCorpusLine() {
        let text = """
            {"id": "x1", "text": "漏水", "intent": "repair", "category": "plumbing", "severity": "general", "location": null}

            {"id": "x2", "text": "秘密内容", "intent": "repair", "category": "pipes", "severity": "general", "location": null}
            """
        #expect {
            try Corpus.parse(text)
        } throws: { error in
            guard let error = error as? CorpusError else { return false }
            return error.line == 3 && error.description.contains("pipes") && !error.description.contains("秘密内容")
        }
    }

    @Test("rules check reports the line of a duplicate rule id")
    func checkReportsLine() throws {
        let folder = try RepositoryFiles.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let shippedPath = RepositoryFiles.prompts + "/rules.yaml"
        let shippedYAML = try String(contentsOfFile: shippedPath, encoding: .utf8)
        // The shipped rules with the learned model beside them: both are checked, and the version names both.
        let shipped = try Prompts.loadRules(shippedPath)
        let model = try #require(shipped.learned)
        #expect(RulesFileCheck.check(shippedPath) == .ok(
            "\(shippedPath): ok (\(shipped.ruleCount) rules, learned model \(model.grams.count) grams, version \(shipped.version))"))

        // Repeat the id of the file's first rule in a new rule at the end.
        let firstRule = try #require(shippedYAML.components(separatedBy: "\n").first { $0.hasPrefix("  - id: ") })
        let id = String(firstRule.dropFirst("  - id: ".count)).trimmingCharacters(in: .whitespaces)
        let yaml = shippedYAML + (shippedYAML.hasSuffix("\n") ? "" : "\n") + "  - { id: \(id), category: plumbing, any: [漏水] }\n"
        let line = yaml.components(separatedBy: "\n").count - 1
        let path = folder + "/rules.yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        guard case let .failed(problem) = RulesFileCheck.check(path) else {
            Issue.record("a duplicate rule id was accepted")
            return
        }
        #expect(problem.hasPrefix("\(path):\(line): duplicate rule id '\(id)'"), "\(problem)")
    }

    @Test("rules check names an unknown category with its line")
    func checkUnknownCategory() throws {
        let folder = try RepositoryFiles.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/rules.yaml"
        let yaml = try String(contentsOfFile: RepositoryFiles.prompts + "/rules.yaml", encoding: .utf8)
            + "\n  - { id: test.unknown, category: pipes, any: [水管] }\n"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        guard case let .failed(problem) = RulesFileCheck.check(path) else {
            Issue.record("an unknown category was accepted")
            return
        }
        let line = yaml.components(separatedBy: "\n").count - 1
        #expect(problem.hasPrefix("\(path):\(line): "), "\(problem)")
        #expect(problem.contains("pipes"))
    }
}
