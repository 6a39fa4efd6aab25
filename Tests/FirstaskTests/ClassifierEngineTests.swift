import Foundation
import Testing
@testable import FirstaskApp
@testable import FirstaskClassifier
import FirstaskTesting

/// The categories table every test rules file needs; rules are appended by each test.
private let categoriesYAML = testCategoriesYAML

private func classifier(rules: String) throws -> Classifier {
    Classifier(rules: try RuleSet.parse(yaml: categoriesYAML + "rules:\n" + rules))
}

/// The hits a plain keyword list should produce, found the slow obvious way: try every keyword at every
/// position, check boundaries, then keep maximal hits. The automaton must agree with it.
private func referenceHits(_ keywords: [String], in text: [Unicode.Scalar]) -> [KeywordMatcher.Hit] {
    var hits: [KeywordMatcher.Hit] = []
    for (id, spelling) in keywords.enumerated() {
        let prefix = spelling.hasSuffix("*")
        let body = Array((prefix ? String(spelling.dropLast()) : spelling).unicodeScalars)
        guard !body.isEmpty, body.count <= text.count else { continue }
        for start in 0...(text.count - body.count) where Array(text[start..<(start + body.count)]) == body {
            var end = start + body.count
            if TextNormalizer.isWordScalar(body[0]), start > 0, TextNormalizer.isWordScalar(text[start - 1]) { continue }
            if prefix {
                while end < text.count && TextNormalizer.isWordScalar(text[end]) { end += 1 }
            } else if TextNormalizer.isWordScalar(body[body.count - 1]), end < text.count, TextNormalizer.isWordScalar(text[end]) {
                continue
            }
            hits.append(.init(keyword: Int32(id), start: Int32(start), end: Int32(end)))
        }
    }
    return KeywordMatcher.maximal(hits)
}

@Suite("Classifier engine")
struct ClassifierEngineTests {
    // MARK: Automaton

    @Test("the automaton reports overlapping and nested patterns, following failure and output links")
    func automatonFindsOverlaps() {
        let patterns = ["he", "she", "his", "hers", "usher"]
        let automaton = AhoCorasick(patterns: patterns.enumerated().map { (Array($1.unicodeScalars), Int32($0)) })
        var found: [String] = []
        var state = AhoCorasick.start
        for (index, scalar) in "ushers".unicodeScalars.enumerated() {
            state = automaton.next(state, automaton.alphabet.symbol(scalar))
            automaton.forEachMatch(in: state) { found.append("\(patterns[Int($0)])@\(index)") }
        }
        #expect(found.sorted() == ["he@3", "hers@5", "she@3", "usher@4"])
    }

    @Test("the stored transitions agree with a brute-force search on random texts (no word rule)")
    func automatonAgreesWithReference() {
        // 水 followed by any of 20 letters: a state with many transitions, whose cells in the double array
        // interleave with other states' (a cell that is another state's must read as "not mine").
        let patterns = ["ab", "abc", "b", "bca", "cab", "a", "bab", "abab", "c", "cc", "漏水", "水漏", "漏"]
            + "abcdefghijklmnopqrst".map { "水\($0)" } + ["漏水d", "水ab"]
        let automaton = AhoCorasick(patterns: patterns.enumerated().map { (Array($1.unicodeScalars), Int32($0)) })
        #expect(automaton.transitionCount > 20, "the fan-out state keeps its own transitions")
        let alphabet = Array("abcdst漏水x".unicodeScalars)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<1000 {
            let text = (0..<Int.random(in: 0...20, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            var expected: [String] = []
            for (id, pattern) in patterns.enumerated() {
                let body = Array(pattern.unicodeScalars)
                guard body.count <= text.count else { continue }
                for end in body.count...text.count where Array(text[(end - body.count)..<end]) == body { expected.append("\(id)@\(end)") }
            }
            var found: [String] = []
            var state = AhoCorasick.start
            for (index, scalar) in text.enumerated() {
                state = automaton.next(state, automaton.alphabet.symbol(scalar))
                automaton.forEachMatch(in: state) { found.append("\($0)@\(index + 1)") }
            }
            #expect(found.sorted() == expected.sorted(), "text \(String(String.UnicodeScalarView(text)))")
        }
    }

    @Test("the quick test before the numeral switch turns away no numeral, in the whole BMP")
    func numeralQuickTest() {
        let numerals = Set("〇零一二三四五六七八九十廿".unicodeScalars)
        for value in UInt32(0)..<0x10000 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            #expect(ChineseNumeral.isNumeral(scalar) == numerals.contains(scalar), "U+\(String(value, radix: 16))")
        }
        var mask: UInt64 = 0
        for numeral in numerals { mask |= 1 << UInt64(numeral.value & 63) }
        #expect(ChineseNumeral.lowBits == mask, "the mask holds exactly the numerals' low bits")
    }

    @Test("a character in no keyword sends the automaton back to the root")
    func unknownCharacterResets() {
        let automaton = AhoCorasick(patterns: [(Array("漏水".unicodeScalars), 0)])
        var state = AhoCorasick.start
        var count = 0
        for scalar in "漏x水 漏水".unicodeScalars {
            state = automaton.next(state, automaton.alphabet.symbol(scalar))
            automaton.forEachMatch(in: state) { _ in count += 1 }
        }
        #expect(count == 1)
        #expect(automaton.alphabet.symbol("x") == 0)
    }

    @Test("keyword hits agree with a brute-force search on random texts")
    func matcherAgreesWithReference() {
        // Overlapping Latin keywords (whose suffixes start inside words, which the automaton skips),
        // keywords with spaces, mixed scripts: the transitions the automaton stores must lose no hit.
        let keywords = ["ab", "abc", "b", "bca", "cab*", "a", "漏水", "水", "水管", "管漏", "c1", "1",
                        "a b", "b c", "ca", "bcab", "1a", "水a", "c 漏", "abca"]
        var builder = KeywordMatcher.Builder()
        for keyword in keywords { _ = builder.add(keyword) }
        let matcher = builder.build()
        let alphabet = Array("abc1 漏水管x".unicodeScalars)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let length = Int.random(in: 0...24, using: &generator)
            let text = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
            let expected = referenceHits(keywords, in: text).sorted { ($0.start, $0.end, $0.keyword) < ($1.start, $1.end, $1.keyword) }
            let actual = matcher.hits(in: text).sorted { ($0.start, $0.end, $0.keyword) < ($1.start, $1.end, $1.keyword) }
            #expect(actual == expected, "text \(String(String.UnicodeScalarView(text)))")
        }
    }

    @Test("{n} keywords and plain keywords combine: the longest hit wins either way")
    func numberKeywordsWithPlainOnes() throws {
        let classifier = try classifier(rules: """
              - { id: severity.repeated, severity: major, any: ["{n}次了", "第{n}次"] }
              - { id: severity.count, severity: emergency, any: ["三次"] }
              - { id: fees.households, category: fees, any: ["{n}十户"] }
            """)
        #expect(classifier.classify("报了三次了").rules == ["severity.repeated"])
        #expect(classifier.classify("第3次").rules == ["severity.repeated"])
        #expect(classifier.classify("三次").rules == ["severity.count"])
        #expect(classifier.classify("几十户业主").rules == ["fees.households"])
        #expect(classifier.classify("一次了").rules.isEmpty)
    }

    // MARK: Spans

    @Test("matched spans point into the original text, past dropped emoji and traditional characters")
    func spansInOriginalText() throws {
        let classifier = try classifier(rules: """
              - { id: fire_safety.fire, category: fire_safety, any: [着火, fire] }
              - { id: plumbing.leak, category: plumbing, any: [漏水, leak*] }
            """)
        let result = classifier.classify("🔥🔥廚房著火了！ＦＩＲＥ and a leaking pipe, 漏水")
        #expect(result.rules == ["fire_safety.fire", "plumbing.leak"])
        #expect(result.spans == [
            MatchedSpan(rule: "fire_safety.fire", text: "著火", start: 4, end: 6),
            MatchedSpan(rule: "fire_safety.fire", text: "ＦＩＲＥ", start: 8, end: 12),
            MatchedSpan(rule: "plumbing.leak", text: "leaking", start: 19, end: 26),
            MatchedSpan(rule: "plumbing.leak", text: "漏水", start: 33, end: 35),
        ])
        let scalars = Array("🔥🔥廚房著火了！ＦＩＲＥ and a leaking pipe, 漏水".unicodeScalars)
        for span in result.spans {
            #expect(String(String.UnicodeScalarView(scalars[span.start..<span.end])) == span.text)
        }
    }

    @Test("a zero-width character inside a keyword is part of the reported text")
    func spanAcrossDroppedCharacter() throws {
        let result = try classifier(rules: "  - { id: plumbing.leak, category: plumbing, any: [漏水] }\n").classify("家里漏\u{200B}水了")
        #expect(result.spans == [MatchedSpan(rule: "plumbing.leak", text: "漏\u{200B}水", start: 2, end: 5)])
    }

    @Test("every fired rule of the shipped rules has a span")
    func shippedRulesHaveSpans() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let rules = try RuleSet.parse(yaml: String(contentsOf: root.appendingPathComponent("prompts/rules.yaml"), encoding: .utf8))
        let result = Classifier(rules: rules).classify("3栋电梯困人了！！我妈在里面，说了三次了还是没人管")
        #expect(!result.rules.isEmpty)
        #expect(Set(result.spans.map(\.rule)) == Set(result.rules))
    }

    @Test("classifications stored before spans existed still decode")
    func decodesWithoutSpans() throws {
        let json = #"{"intent":"repair","category":"plumbing","department":"engineering","severity":"general","confidence":0.5,"rules":["a"],"missing":[]}"#
        let decoded = try JSONDecoder().decode(Classification.self, from: Data(json.utf8))
        #expect(decoded.spans.isEmpty)
        #expect(decoded.rules == ["a"])
        let again = try JSONDecoder().decode(Classification.self, from: try JSONEncoder().encode(decoded))
        #expect(again == decoded)
    }

    // MARK: near

    @Test("near fires when the two words are close, in either order, and not when they are far apart")
    func nearDistance() throws {
        let classifier = try classifier(rules: """
              - id: fire_safety.gas_smell
                category: fire_safety
                near: { words: [[煤气, gas], [味, smell]], within: 4 }
            """)
        #expect(classifier.classify("煤气好大味").rules == ["fire_safety.gas_smell"])
        #expect(classifier.classify("smell of gas").rules == ["fire_safety.gas_smell"])
        #expect(classifier.classify("煤气费涨了，楼道有怪味").rules.isEmpty)
        let spans = classifier.classify("楼道一股煤气味").spans
        #expect(spans.map(\.text) == ["煤气", "味"])
    }

    @Test("near combines with any, and negated words do not count for intent and severity rules")
    func nearWithOtherConditions() throws {
        let classifier = try classifier(rules: """
              - id: severity.lift_trapped
                severity: emergency
                any: [电梯, lift]
                near: { words: [[人, someone], [困, trapped]], within: 2 }
            """)
        #expect(classifier.classify("电梯有人被困").severity == .emergency)
        #expect(classifier.classify("有人被困在车库").severity == .general)
        #expect(classifier.classify("电梯里没有人被困").severity == .general)
    }

    // MARK: regex

    @Test("a regex runs only once the rule's keywords are present, on the normalised text")
    func regexWithKeywords() throws {
        let classifier = try classifier(rules: """
              - id: noise.small_hours
                category: noise
                all: [[noise, loud, 吵]]
                regex: '\\b(1[0-2]|[1-5])(:[0-5]\\d)?\\s?am\\b'
            """)
        #expect(classifier.classify("Loud music at 1:30 AM again").rules == ["noise.small_hours"])
        #expect(classifier.classify("Loud music at 9am").rules.isEmpty)
        #expect(classifier.classify("Party at 2am").rules.isEmpty)   // no keyword: the regex never runs
        let spans = classifier.classify("Loud music at 1:30 AM").spans
        #expect(spans.map(\.text) == ["Loud", "1:30 AM"])
    }

    @Test("a rule with only a regex is tried on every message")
    func regexOnly() throws {
        let classifier = try classifier(rules: """
              - { id: fees.amount, category: fees, regex: '\\d+(\\.\\d+)?\\s*(元|块)' }
            """)
        #expect(classifier.classify("收了我三百五十块，账单写350元").rules == ["fees.amount"])
        #expect(classifier.classify("350 元").spans == [MatchedSpan(rule: "fees.amount", text: "350 元", start: 0, end: 5)])
        #expect(classifier.classify("电梯坏了").rules.isEmpty)
    }

    // MARK: near and regex in the shipped rules

    private func shippedClassifier() throws -> Classifier {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return Classifier(rules: try RuleSet.parse(yaml: String(contentsOf: root.appendingPathComponent("prompts/rules.yaml"), encoding: .utf8)))
    }

    @Test("a gas word and an unrelated smell far apart are not a gas emergency; a smell of gas is")
    func shippedGasSmellUsesNear() throws {
        let classifier = try shippedClassifier()
        let unrelated = classifier.classify("燃气公司的人今天来抄表了，楼下垃圾桶好臭")
        #expect(!unrelated.rules.contains("severity.emergency.gas_smell"))
        #expect(unrelated.severity != .emergency)
        let gas = classifier.classify("闻到好大一股天然气的味道")
        #expect(gas.rules.contains("severity.emergency.gas_smell"))
        #expect(gas.severity == .emergency)
    }

    @Test("a night-time clock the word list cannot spell out counts for noise, once")
    func shippedNightClockUsesRegex() throws {
        let classifier = try shippedClassifier()
        let result = classifier.classify("The party upstairs went on till 1:30 AM, so loud")
        #expect(result.rules.contains("noise.at_night_clock"))
        #expect(result.spans.contains(MatchedSpan(rule: "noise.at_night_clock", text: "1:30 AM", start: 32, end: 39)))
        #expect(!classifier.classify("Loud party till 3am").rules.contains("noise.at_night_clock"))   // noise.at_night has it
        #expect(!classifier.classify("Loud party at 2 pm").rules.contains("noise.at_night_clock"))
    }

    // MARK: Rules file errors

    @Test("a bad regex is an error with the rule id, line and column")
    func badRegex() throws {
        let error = try #require(throws: ClassifierError.self) {
            try classifier(rules: "  - id: x.bad\n    category: fees\n    regex: 'a(b'\n")
        }
        #expect(error.code == .invalidRegex)
        #expect(error.message.contains("x.bad"))
        let line = try #require(error.line)
        let lines = (categoriesYAML + "rules:\n").components(separatedBy: "\n").count
        #expect(line == lines + 2)
        #expect(error.column == 12)
        #expect(error.description.hasPrefix("rules.yaml line \(line), column 12: "))
    }

    @Test("rules check reports a bad regex as FILE:LINE:COLUMN")
    func rulesCheckBadRegex() throws {
        let folder = try RepositoryFiles.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/rules.yaml"
        let yaml = categoriesYAML + "rules:\n  - id: noise.clock\n    category: noise\n    regex: '[0-9'\n"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        guard case let .failed(problem) = RulesFileCheck.check(path) else {
            Issue.record("a bad regex was accepted")
            return
        }
        let line = yaml.components(separatedBy: "\n").count - 1
        #expect(problem.hasPrefix("\(path):\(line):12: rule 'noise.clock' regex: not a valid regular expression"), "\(problem)")
    }

    @Test("rules test says which text made each rule fire, and where")
    func rulesTestShowsEvidence() throws {
        let classifier = try classifier(rules: "  - { id: plumbing.leak, category: plumbing, any: [漏水] }\n")
        let text = RulesTest.explain(classifier.classify("3栋厨房漏水了"))
        #expect(text.contains("rule plumbing.leak fired on «漏水» at 4–6"), "\(text)")
        #expect(!RulesTest.explain(classifier.classify("你好")).contains("fired on"))
    }

    @Test("near mistakes are reported clearly", arguments: [
        ("near: { words: [a], within: 3 }", "exactly two entries"),
        ("near: { words: [a, b] }", "needs both 'words'"),
        ("near: { words: [a, b], within: -1 }", "within must be a whole number"),
        ("near: { words: [a, b], within: 3, distance: 2 }", "unknown key"),
        ("near: [a, b]", "must be a mapping"),
    ])
    func nearErrors(rule: String, message: String) throws {
        let error = try #require(throws: ClassifierError.self) {
            try classifier(rules: "  - { id: x.near, category: fees, \(rule) }\n")
        }
        #expect(error.description.contains(message), "\(error.description)")
    }

    @Test("a rule needs at least one condition")
    func ruleWithoutConditions() throws {
        let error = try #require(throws: ClassifierError.self) {
            try classifier(rules: "  - { id: x.empty, category: fees, none: [a] }\n")
        }
        #expect(error.description.contains("needs 'any' or 'all' keywords (or 'near' or 'regex')"))
    }

    // MARK: Scaling (structure, not time)

    @Test("rules whose keywords are absent cost nothing: the trigger index only reaches rules the message names")
    func triggersReachOnlyNamedRules() throws {
        var rules = "  - { id: plumbing.leak, category: plumbing, any: [漏水] }\n"
        for index in 0..<2000 {
            rules += "  - { id: fees.x\(index), category: fees, any: [zq\(index)word] }\n"
        }
        let ruleSet = try RuleSet.parse(yaml: categoriesYAML + "rules:\n" + rules)
        #expect(ruleSet.triggers.always.isEmpty)
        let result = Classifier(rules: ruleSet).classify("厨房漏水 zq7word")
        #expect(result.rules == ["plumbing.leak", "fees.x7"])
    }
}
