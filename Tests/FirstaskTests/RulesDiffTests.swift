import FirstaskApp
import FirstaskClassifier
import FirstaskDesk
import FirstaskSQLite
import FirstaskTesting
import Foundation
import Testing

@Suite("rules diff")
struct RulesDiffTests {
    private var shippedYAML: String {
        get throws { try String(contentsOfFile: RepositoryFiles.prompts + "/rules.yaml", encoding: .utf8) }
    }

    private let texts: [(id: String, text: String)] = [
        ("noise-zh", "隔壁邻居天天晚上打麻将到凌晨 洗牌声哗啦啦的 我们12栋2单元隔音本来就差"),
        ("noise-en", "Neighbours above us (15B, Block 7) have had a party every night this week till 3am, so loud"),
        ("leak", "3栋2单元501 厨房漏水"),
        ("lift", "5栋的电梯又坏了，困人了！"),
        ("fees", "请问物业费怎么交？"),
    ]

    /// The shipped rules with the noise category routed to environment instead of security.
    private func noiseToEnvironment() throws -> RuleSet {
        let yaml = try shippedYAML
        let line = "  noise:         { department: security,     intent: complaint }"
        try #require(yaml.contains(line))
        let changed = yaml.replacingOccurrences(
            of: line, with: "  noise:         { department: environment,  intent: complaint }")
        let folder = try RepositoryFiles.temporaryFolder("rules-diff")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/rules.yaml"
        try changed.write(toFile: path, atomically: true, encoding: .utf8)
        guard case .ok = RulesFileCheck.check(path) else { Issue.record("the modified rules do not check"); throw CancellationError() }
        return try RuleSet.parse(yaml: try String(contentsOfFile: path, encoding: .utf8))
    }

    @Test("identical rules change no message")
    func identical() throws {
        let rules = try RuleSet.parse(yaml: try shippedYAML)
        let diff = RulesDiffing(old: Classifier(rules: rules), new: Classifier(rules: rules), messages: texts)
        #expect(diff.compared == texts.count)
        #expect(diff.changes.isEmpty)
        #expect(diff.countsPerField.allSatisfy { $0.count == 0 })
        #expect(diff.report(oldVersion: rules.version, newVersion: rules.version).contains("compared 5 messages; 0 changed"))
    }

    @Test("routing a category to another department changes exactly that category's messages, and only their department")
    func departmentChange() throws {
        let old = try RuleSet.parse(yaml: try shippedYAML)
        let new = try noiseToEnvironment()
        #expect(old.version != new.version)
        let classifier = Classifier(rules: old)
        #expect(classifier.classify(texts[0].text).category == .noise)
        #expect(classifier.classify(texts[1].text).category == .noise)

        let diff = RulesDiffing(old: classifier, new: Classifier(rules: new), messages: texts)
        #expect(diff.changes.map(\.id) == ["noise-zh", "noise-en"])
        for change in diff.changes {
            #expect(change.fields == [.init(field: .department, old: "security", new: "environment")])
        }
        #expect(diff.changes[0].text == texts[0].text)
        let counts = Dictionary(uniqueKeysWithValues: diff.countsPerField.map { ($0.field, $0.count) })
        #expect(counts == [.intent: 0, .category: 0, .department: 2, .severity: 0, .location: 0])

        let report = diff.report(oldVersion: old.version, newVersion: new.version)
        #expect(report.contains("\(old.version) → new version \(new.version)"))
        #expect(report.contains("compared 5 messages; 2 changed"))
        #expect(report.contains("noise-zh:\n  department: security → environment\n  text: 隔壁邻居"))
        #expect(report.contains("  department: 2"))
        #expect(!report.contains("leak:"))
    }

    @Test("a location difference is shown as building/unit/room")
    func locationDifference() {
        let old = MessageLabels(intent: .repair, category: .plumbing, department: .engineering, severity: .general,
                                location: Location(building: "3", unit: "2", room: "501"))
        var new = old
        new.location = nil
        new.severity = .emergency
        #expect(RulesDiffing.differences(old, new) == [
            .init(field: .severity, old: "general", new: "emergency"),
            .init(field: .location, old: "3/2/501", new: "none"),
        ])
    }

    @Test("reads id and text from JSON lines, numeric ids included, and names the bad line")
    func jsonLines() throws {
        let messages = try RulesDiffing.messages(jsonLines: """
            {"id": "a", "text": "厨房漏水", "lang": "zh-Hans"}

            {"id": 7, "text": "lift stuck"}
            """)
        #expect(messages.map(\.id) == ["a", "7"])
        #expect(messages.map(\.text) == ["厨房漏水", "lift stuck"])
        #expect {
            _ = try RulesDiffing.messages(jsonLines: "{\"id\": \"a\", \"text\": \"x\"}\n{\"id\": \"b\"}")
        } throws: { error in
            "\(error)" == "line 2: no \"text\" string"
        }
        let corpus = try String(contentsOf: RepositoryFiles.root.appendingPathComponent("Tests/FirstaskTests/Fixtures/dev.jsonl"),
                                encoding: .utf8)
        #expect(try RulesDiffing.messages(jsonLines: corpus).count == Corpus.parse(corpus).count)
    }

    @Test("--store reads the stored inbound messages' ids and texts, oldest first")
    func storeReading() async throws {
        let folder = try RepositoryFiles.temporaryFolder("rules-diff-store")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try SQLiteStore(path: folder + "/db.sqlite")
        let now = Date()
        _ = try await store.storeInbound(InboundBatch(channel: "sms", messages: texts.enumerated().map { index, item in
            InboundMessage(channel: "sms", providerID: "p\(index)", from: "+86139000000\(index)", text: item.text, receivedAt: now)
        }, cursor: nil))

        let stored = try await store.inboundTexts(limit: nil)
        #expect(stored.map(\.text) == texts.map(\.text))
        #expect(stored.map(\.id) == stored.map(\.id).sorted())
        #expect(try await store.inboundTexts(limit: 2).map(\.text) == texts.prefix(2).map(\.text))

        let diff = RulesDiffing(old: Classifier(rules: try RuleSet.parse(yaml: try shippedYAML)),
                                new: Classifier(rules: try noiseToEnvironment()),
                                messages: stored.map { (id: String($0.id), text: $0.text) })
        #expect(diff.compared == 5)
        #expect(diff.changes.map(\.id) == [String(stored[0].id), String(stored[1].id)])
    }
}
