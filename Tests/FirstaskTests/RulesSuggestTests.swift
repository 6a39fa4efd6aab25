@testable import FirstaskApp
import FirstaskClassifier
import FirstaskDesk
import FirstaskTesting
import Foundation
import Testing

/// `rules suggest` and `rules corrections` without I/O, on a small rules file whose readings are known.
@Suite("rules suggest (pure)")
struct RulesSuggestTests {
    /// Every category routed somewhere; a handful of rules. `rules:` is not the last section, on purpose.
    static let yaml = """
        # a small rules file
        schema: 1

        """ + testCategoryTableYAML + """
        rules:
        - id: plumbing.leak
          category: plumbing
          weight: 3
          any: [漏水, leak*]
        - id: parking.place
          category: parking
          weight: 2
          any: [车库, 车位, garage]
        - id: suggested.plumbing.4
          category: plumbing
          any: [水管]
        - id: severity.emergency.fire
          severity: emergency
          any: [着火, fire]
        groups:
          unused: [无关]

        """

    static let rules = try! RuleSet.parse(yaml: yaml)

    static func reading(_ text: String) -> ClassifierReading {
        ClassifierReading(text: text, labels: Classifier(rules: rules).classify(text), rulesVersion: rules.version)
    }

    static func correction(_ ref: String, _ text: String, _ kind: LabelCorrection.Kind, minute: Double,
                           category: Category? = nil, department: Department? = nil, severity: Severity? = nil) -> LabelCorrection {
        LabelCorrection(ticketRef: ref, at: DeskHarness.day.addingTimeInterval(minute * 60), by: "wang_fang", kind: kind,
                        reading: reading(text), category: category, department: department, severity: severity)
    }

    static let others = [
        "3栋2单元501厨房漏水", "地下车库的车位被占了", "楼下有人着火了吗", "7栋的电梯坏了", "请问物业费怎么交",
        "9栋绿化带没人修剪", "隔壁装修太吵了", "The garage door is broken", "Is there a fire drill today?",
        "车库的灯不亮", "小区门口的路面坑坑洼洼",
    ]

    @Test("corrections merge per ticket, the later winning; a transfer elsewhere undoes the category, to its department adds nothing")
    func merging() {
        let merged = CorrectedMessage.merge([
            Self.correction("T0002", "b", .transfer, minute: 5, department: .security),
            Self.correction("T0001", "a", .severity, minute: 1, severity: .major),
            Self.correction("T0001", "a", .category, minute: 2, category: .plumbing, department: .engineering),
            Self.correction("T0001", "a", .severity, minute: 3, severity: .emergency),
            Self.correction("T0001", "a", .transfer, minute: 4, department: .engineering),
            Self.correction("T0003", "c", .category, minute: 6, category: .fees, department: .service),
            Self.correction("T0003", "c", .transfer, minute: 7, department: .environment),
        ], rules: Self.rules)
        #expect(merged.map(\.ref) == ["T0001", "T0002", "T0003"])
        #expect(merged[0] == CorrectedMessage(ref: "T0001", text: "a", category: .plumbing, severity: .emergency,
                                              corrections: merged[0].corrections))
        #expect(merged[0].corrections.count == 4)
        #expect(merged[1].department == .security && merged[1].category == nil)
        #expect(merged[2].category == nil && merged[2].department == .environment)
    }

    @Test("words: Chinese 2–4-grams and Latin words, none where the rules fired, none with a particle at an edge, no stop words")
    func words() {
        let text = "B2车库的水没过脚踝了 The water is Ankle deep"
        let spans = Classifier(rules: Self.rules).classify(text).spans
        #expect(spans.map(\.text) == ["车库"])
        let words = TermScanner.candidates(in: text, excluding: spans)
        #expect(words.contains("脚踝") && words.contains("水没过脚") && words.contains("ankle") && words.contains("water"))
        #expect(!words.contains { $0.contains("车") })
        #expect(!words.contains("的水") && !words.contains("踝了") && !words.contains("the") && !words.contains("is"))
        #expect(!words.contains { $0.count > 4 && $0.unicodeScalars.first!.value > 0x4E00 })
        #expect(TermScanner.count(["脚踝", "ankle", "nkl"], in: ["脚踝疼", "ANKLE", "ankles", "脚 踝"]) == ["脚踝": 1, "ankle": 1])
    }

    @Test("suggests a clear word per misread target, writes a complete file that checks, and reports what it cannot fix")
    func suggests() throws {
        let corrections = [
            Self.correction("T0011", "车库的水没过脚踝了", .category, minute: 1, category: .plumbing, department: .engineering),
            Self.correction("T0012", "B2车库积水到脚踝", .category, minute: 2, category: .plumbing, department: .engineering),
            Self.correction("T0013", "The balcony railing is loose and could fall", .severity, minute: 3, severity: .emergency),
            Self.correction("T0014", "楼下有人着火了吗", .severity, minute: 4, severity: .general),
            Self.correction("T0015", "请问物业费怎么交", .transfer, minute: 5, department: .security),
            Self.correction("T0016", "3栋2单元501厨房漏水", .category, minute: 6, category: .plumbing, department: .engineering),
        ]
        let suggesting = try RulesSuggesting(rulesYAML: Self.yaml, corrections: corrections, others: Self.others)
        #expect(suggesting.corrected.count == 6)
        #expect(suggesting.rightBefore == 1)  // T0016: the rules already read it so
        let targets = suggesting.targets.map(\.target)
        #expect(targets == [.category(.plumbing), .severity(.emergency)])

        let plumbing = suggesting.targets[0].suggestions
        // Both garage messages have 脚踝, no other message has it: one word covers both.
        #expect(plumbing.map(\.term.text) == ["脚踝"])
        #expect(plumbing[0].id == "suggested.plumbing.5")  // after the file's own suggested.plumbing.4
        #expect(plumbing[0].term.inPositives == 2 && plumbing[0].term.inOthers == 0)
        #expect(plumbing[0].refs == ["T0011", "T0012"])
        #expect(plumbing[0].weight >= 3)
        let emergency = try #require(suggesting.targets[1].suggestions.first)
        #expect(emergency.id == "suggested.emergency.1" && emergency.weight == 1)
        #expect(["balcony", "railing", "loose", "fall"].contains(emergency.term.text))

        #expect(suggesting.unaddressed.map(\.ref) == ["T0014", "T0015"])
        #expect(suggesting.unaddressed[0].reason.contains("cannot lower a severity"))
        #expect(suggesting.unaddressed[1].reason.contains("a transfer"))
        #expect(suggesting.rightAfter == 4)

        // The file: the current one byte for byte, the new rules at the end of `rules:`, before `groups:`.
        let yaml = suggesting.yaml
        let head = try #require(Self.yaml.range(of: "  any: [着火, fire]\n"))
        #expect(yaml.hasPrefix(String(Self.yaml[..<head.upperBound])))
        #expect(yaml.hasSuffix("groups:\n  unused: [无关]\n"))
        #expect(yaml.contains("""
            - id: suggested.plumbing.5
              category: plumbing
              weight: \(RulesSuggesting.number(plumbing[0].weight))
              note: "from staff corrections of T0011, T0012: «脚踝» is in 2 of 2 messages corrected to category plumbing \
            and 0 of
            """))
        #expect(yaml.contains("  any: [\"脚踝\"]\n"))
        let folder = try RepositoryFiles.temporaryFolder("suggest")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try yaml.write(toFile: folder + "/new.yaml", atomically: true, encoding: .utf8)
        guard case .ok = RulesFileCheck.check(folder + "/new.yaml") else {
            Issue.record("the suggested file does not check: \(RulesFileCheck.check(folder + "/new.yaml"))")
            return
        }
        let new = Classifier(rules: suggesting.rules)
        #expect(new.classify("车库的水没过脚踝了").category == .plumbing)
        #expect(new.classify("The balcony railing is loose and could fall").severity == .emergency)
        // The words the others have are left alone.
        let old = Classifier(rules: Self.rules)
        for text in Self.others { #expect(MessageLabels(new.classify(text)) == MessageLabels(old.classify(text)), "\(text)") }
    }

    @Test("with nothing to compare with no word has a clear score, and the file is the current one")
    func nothingToCompare() throws {
        let suggesting = try RulesSuggesting(
            rulesYAML: Self.yaml,
            corrections: [Self.correction("T0001", "车库的水没过脚踝了", .category, minute: 1, category: .plumbing)], others: [])
        #expect(suggesting.suggestions.isEmpty)
        #expect(suggesting.targets.first?.problem?.contains("no word with a clear score") == true)
        #expect(suggesting.yaml == Self.yaml)
        #expect(suggesting.rightBefore == 0 && suggesting.rightAfter == 0)
    }

    @Test("a score is clear at 3 or more, in at most 2 % of the others")
    func clearScores() {
        #expect(RulesSuggesting.Term(text: "x", inPositives: 1, positives: 1, inOthers: 0, others: 2).isClear)
        #expect(!RulesSuggesting.Term(text: "x", inPositives: 1, positives: 1, inOthers: 0, others: 1).isClear)  // score 2
        #expect(!RulesSuggesting.Term(text: "x", inPositives: 1, positives: 1, inOthers: 1, others: 40).isClear)  // 2.5 %
        #expect(RulesSuggesting.Term(text: "x", inPositives: 1, positives: 1, inOthers: 1, others: 50).isClear)
        #expect(!RulesSuggesting.Term(text: "x", inPositives: 1, positives: 4, inOthers: 0, others: 10).isClear)  // 2.75
    }

    @Test("a rules file whose rules: section is the last, or written inline, is handled")
    func writing() throws {
        let suggestion = RulesSuggesting.Suggestion(
            id: "suggested.noise.1", target: .category(.noise), weight: 3,
            term: .init(text: "say \"hi\"", inPositives: 1, positives: 1, inOthers: 0, others: 5), refs: ["T0001"])
        let last = try RulesSuggesting.write("schema: 1\nrules:\n  - id: a\n    category: noise\n    any: [x]\n\n\n", adding: [suggestion])
        #expect(last.hasPrefix("schema: 1\nrules:\n  - id: a\n    category: noise\n    any: [x]\n\n  # ----"))
        #expect(last.hasSuffix("    any: [\"say \\\"hi\\\"\"]\n\n\n"))
        #expect(throws: SuggestError.self) { try RulesSuggesting.write("rules: []\n", adding: [suggestion]) }
        #expect(try RulesSuggesting.write("rules: []\n", adding: []) == "rules: []\n")
    }

    @Test("the corrections listing shows each correction's message, reading, fired rules and corrected fields; days parse")
    func listing() throws {
        let roster = try RosterFile.load(path: RepositoryFiles.roster)
        let text = CorrectionListing.render([
            Self.correction("T0011", "车库的水\n没过脚踝了", .category, minute: 1, category: .plumbing, department: .engineering),
        ], roster: roster, since: nil)
        #expect(text == """
            1 correction of 1 ticket

            T0011  2026-12-01 10:01  王芳 (wang_fang)  category
              text:       车库的水 / 没过脚踝了
              read as:    complaint / parking / security / general (intent / category / department / severity; rules \(Self.rules.version))
              fired:      parking.place
              corrected:  category: parking → plumbing
              corrected:  department: security → engineering

            """)
        let shanghai = TimeZone(identifier: "Asia/Shanghai")!
        #expect(CorrectionListing.day("2026-12-01", timeZone: shanghai) == ISO8601DateFormatter().date(from: "2026-11-30T16:00:00Z"))
        for bad in ["2026-13-01", "2026-02-30", "2026-1-1", "yesterday", ""] {
            #expect(CorrectionListing.day(bad, timeZone: shanghai) == nil, "\(bad)")
        }
    }
}
