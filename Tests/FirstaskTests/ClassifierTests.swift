import Foundation
import Testing
import FirstaskClassifier

/// Files the classifier tests read from the repository (via #filePath, not Bundle.module, so the tests
/// run the same from any checkout).
private enum ClassifierFiles {
    static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()   // FirstaskTests
        .deletingLastPathComponent()   // Tests
        .deletingLastPathComponent()   // repo root

    /// The shipped classifier's rules: `prompts/rules.yaml` with the learned model beside it attached.
    static func shippedRules() throws -> RuleSet {
        try rulesAlone().attaching(try NgramModel.parse(
            String(contentsOf: repoRoot.appendingPathComponent("prompts/\(NgramModel.fileName)"), encoding: .utf8)))
    }

    static func rulesAlone() throws -> RuleSet {
        let yaml = try String(contentsOf: repoRoot.appendingPathComponent("prompts/rules.yaml"), encoding: .utf8)
        return try RuleSet.parse(yaml: yaml)
    }

    static func devCorpus() throws -> [[String: Any]] {
        try corpus("dev.jsonl")
    }

    /// A labelled JSON-lines fixture under Tests/FirstaskTests/Fixtures.
    static func corpus(_ name: String) throws -> [[String: Any]] {
        let url = repoRoot.appendingPathComponent("Tests/FirstaskTests/Fixtures/\(name)")
        let text = try String(contentsOf: url, encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }
}

/// Counts of right answers over a labelled corpus, as `firstask rules eval` reports them.
private struct CorpusScores {
    var total = 0, category = 0, intent = 0, severity = 0, location = 0
    var emergencies = 0, emergenciesFound = 0, emergencyVerdicts = 0
    var majors = 0, majorsFound = 0
    /// Major or emergency expected, and given either: the messages that must reach a head or the control room.
    var serious = 0, seriousFound = 0
    var conduct = 0, conductFound = 0

    init(_ rows: [[String: Any]], classifier: Classifier) throws {
        for row in rows {
            let result = classifier.classify(try #require(row["text"] as? String))
            total += 1
            if result.category.rawValue == row["category"] as? String { category += 1 }
            if result.intent.rawValue == row["intent"] as? String { intent += 1 }
            if result.severity.rawValue == row["severity"] as? String { severity += 1 }
            let expected = (row["location"] as? [String: String]).map {
                Location(building: $0["building"], unit: $0["unit"], room: $0["room"])
            }
            if result.location == expected { location += 1 }
            let isEmergency = row["severity"] as? String == "emergency"
            if isEmergency { emergencies += 1 }
            if result.severity == .emergency {
                emergencyVerdicts += 1
                if isEmergency { emergenciesFound += 1 }
            }
            if row["severity"] as? String == "major" {
                majors += 1
                if result.severity == .major { majorsFound += 1 }
            }
            if row["severity"] as? String != "general" {
                serious += 1
                if result.severity != .general { seriousFound += 1 }
            }
            if row["category"] as? String == "staff_conduct" {
                conduct += 1
                if result.category == .staffConduct { conductFound += 1 }
            }
        }
    }

    func rate(_ count: Int) -> Double { Double(count) / Double(max(total, 1)) }
}

/// Floors for a held-out fixture: what the shipped rules reach on it minus a small margin.
struct HeldOutFloors: Sendable, CustomStringConvertible {
    var file: String
    var rows: Int
    var category: Double
    var intent: Double
    var severity: Double
    var location: Double
    var emergencyRecall: Double
    var emergencyPrecision: Double
    var majorRecall: Double
    var description: String { file }
}

/// Floors for a corpus round (Tests/FirstaskTests/Fixtures/README.md): what the shipped rules reach on it minus
/// 2 points for accuracies and 6 for the recalls and precision (a round has only 20–40 emergencies and 18–26
/// conduct complaints, so one message moves those by 3–5 points).
struct RoundFloors: Sendable, CustomStringConvertible {
    var file: String
    var rows: Int
    var category: Double
    var intent: Double
    var emergencyRecall: Double
    var emergencyPrecision: Double
    var majorOrWorseRecall: Double
    var conductRecall: Double
    var location: Double
    var description: String { file }
}

/// The categories table every small test rules file needs.
let testCategoryTableYAML = """
    categories:
      plumbing:      { department: engineering, intent: repair, physical: true }
      electrical:    { department: engineering, intent: repair, physical: true }
      elevator:      { department: engineering, intent: repair, physical: true }
      facility:      { department: engineering, intent: repair, physical: true }
      fire_safety:   { department: fire_control, intent: repair, physical: true }
      security:      { department: security, intent: complaint }
      parking:       { department: security, intent: complaint }
      noise:         { department: security, intent: complaint }
      sanitation:    { department: environment, intent: complaint }
      greenery:      { department: environment, intent: complaint }
      fees:          { department: service }
      renovation:    { department: service }
      staff_conduct: { department: management, intent: complaint }
      general:       { department: service, intent: inquiry }

    """

/// The categories table and a negation setting.
let testCategoriesYAML = testCategoryTableYAML + """
    settings:
      negation: { words: [没有, 不是, "no one", not], window: 4 }

    """

/// A small rules file for tests that exercise matching itself rather than the shipped rules.
private let minimalYAML = testCategoriesYAML + """
    groups:
      leak: [漏水, leak*]
    rules:
      - { id: fees.fee, category: fees, any: [fee, fees] }
      - { id: parking.tow, category: parking, any: [tow] }
      - { id: plumbing.kitchen, category: plumbing, any: [厨房] }
      - { id: plumbing.leak, category: plumbing, weight: 2, any: ["@leak"] }
      - { id: elevator.lift, category: elevator, any: [电梯, lift] }
      - { id: severity.trapped, severity: emergency, any: [被困, trapped] }
      - { id: severity.repeated, severity: major, any: ["{n}次了"] }
    """

private func minimalClassifier() throws -> Classifier {
    Classifier(rules: try RuleSet.parse(yaml: minimalYAML))
}

@Suite("Classifier")
struct ClassifierTests {
    // MARK: Location

    @Test("extracts building, unit and room from the address styles residents use", arguments: [
        ("3栋2单元501 厨房漏水", Location(building: "3", unit: "2", room: "501")),
        ("3-2-501 厨房漏水", Location(building: "3", unit: "2", room: "501")),
        ("三号楼二单元501室 厨房漏水", Location(building: "3", unit: "2", room: "501")),
        ("Block 3, Unit 2, Flat 501: kitchen leak", Location(building: "3", unit: "2", room: "501")),
        ("B座1203 马桶堵了", Location(building: "B", room: "1203")),
        ("5栋A座2801 停电", Location(building: "5", unit: "A", room: "2801")),
        ("Flat 7, 15/F, Block A has no water", Location(building: "A", room: "1507")),
        ("A座 15樓 7室 冇水", Location(building: "A", room: "1507")),
        ("我住12樓之3", Location(room: "1203")),
        ("B棟6樓之1 收據有錯", Location(building: "B", room: "601")),
        ("5F-2 的燈壞了", Location(room: "502")),
        ("Tower 2 23/F Flat C, no hot water", Location(building: "2", room: "23C")),
        ("Unit 1802 intercom is broken", Location(room: "1802")),
        // Every English address word, short forms too.
        ("Blk 5 Rm 1203 no water", Location(building: "5", room: "1203")),
        ("Twr 1, Suite 12A", Location(building: "1", room: "12A")),
        ("Bldg 3 apartment 1203", Location(building: "3", room: "1203")),
        ("Apt 1204 in Building 6", Location(building: "6", room: "1204")),
        ("Tower 2 Room 501", Location(building: "2", room: "501")),
        ("2号楼大堂的门坏了", Location(building: "2")),
        ("C座18樓D室個窗甩咗", Location(building: "C", room: "18D")),
        ("４栋２单元８０２ 厨房没电", Location(building: "4", unit: "2", room: "802")),
        ("The lift in Block 2 makes a grinding noise. I'm in Flat 1203.", Location(building: "2", room: "1203")),
        // A room spelled digit by digit with no marker, right after the unit.
        ("卫生间天花板渗水 三幢一单元四零二", Location(building: "3", unit: "1", room: "402")),
        // The neighbour's flat fills in the room the sender left out (the noise comes from there).
        ("楼上1502天天半夜拖椅子 6栋3单元", Location(building: "6", unit: "3", room: "1502")),
    ])
    func locationFormats(text: String, expected: Location) throws {
        #expect(try minimalClassifier().classify(text).location == expected)
    }

    @Test("finds no location in floors alone, car-park levels, bay numbers or phone numbers", arguments: [
        "Can someone help me lift a sofa up to 12/F on Saturday?",
        "地下车库B2那边有根管子一直在滴水",
        "我的车位被别人占了！！车位号B2-136",
        "我电话137-2468-1359，麻烦回电",
        "我们12栋和13栋的业主受够了",
        "隔壁2000块的空调天天响",
        "三四五个人在楼下吵",
    ])
    func notLocations(text: String) throws {
        #expect(try minimalClassifier().classify(text).location == nil)
    }

    @Test("prefers the sender's full address over a neighbour's bare flat number")
    func senderAddressWins() throws {
        let location = try minimalClassifier().classify("楼上1903卫生间漏水漏到我家天花板 12栋1803").location
        #expect(location == Location(building: "12", room: "1803"))
        #expect(location?.display == "12-1803")
    }

    // MARK: Matching

    @Test("English keywords need word boundaries: fee not in coffee, tow not in tower")
    func englishWordBoundaries() throws {
        let classifier = try minimalClassifier()
        #expect(!classifier.classify("The coffee machine in the tower lobby").rules.contains("fees.fee"))
        #expect(!classifier.classify("The coffee machine in the tower lobby").rules.contains("parking.tow"))
        #expect(classifier.classify("Why is the fee so high?").rules.contains("fees.fee"))
        #expect(classifier.classify("Please tow the van").rules.contains("parking.tow"))
        #expect(classifier.classify("The pipe is leaking").rules.contains("plumbing.leak"))
    }

    @Test("a Chinese word right after a digit or Latin letter still matches (501厨房漏水)")
    func chineseAfterDigits() throws {
        let result = try minimalClassifier().classify("501厨房漏水")
        #expect(result.rules.contains("plumbing.kitchen"))
        #expect(result.rules.contains("plumbing.leak"))
        #expect(try minimalClassifier().classify("B2电梯坏了").rules.contains("elevator.lift"))
    }

    @Test("traditional characters and full-width text match rules written in simplified")
    func traditionalAndFullWidth() throws {
        let classifier = try minimalClassifier()
        #expect(classifier.classify("電梯有人被困").rules == ["elevator.lift", "severity.trapped"])
        #expect(classifier.classify("ＬＩＦＴ ＴＲＡＰＰＥＤ").severity == .emergency)
    }

    @Test("a negated hazard is not an emergency but still names the topic")
    func negationInMinimalRules() throws {
        let result = try minimalClassifier().classify("没有人被困，电梯停在3楼")
        #expect(result.severity == .general)
        #expect(result.category == .elevator)
        #expect(try minimalClassifier().classify("No one is trapped, the lift is just slow").severity == .general)
    }

    @Test("{n} matches counts in digits or Chinese numerals, but not once")
    func numberPlaceholder() throws {
        let classifier = try minimalClassifier()
        #expect(classifier.classify("说了三次了还是漏水").severity == .major)
        #expect(classifier.classify("这是第12次了").severity == .major)
        #expect(classifier.classify("投诉5次了").severity == .major)
        #expect(classifier.classify("上周报过一次了").severity == .general)
        #expect(classifier.classify("上周报过1次了").severity == .general)
        #expect(classifier.classify("十次有八次识别不了").severity == .general)
    }

    // MARK: Shipped rules

    @Test("a repair report that is now fixed, with thanks, is praise", arguments: [
        "已经修好了,谢谢",
        "电梯修好了，谢谢师傅们",
        "Lift is working again, thanks for the quick fix!",
        "fixed now, thanks",
    ])
    func fixedWithThanksIsPraise(text: String) throws {
        let result = Classifier(rules: try ClassifierFiles.shippedRules()).classify(text)
        #expect(result.intent == .praise)
        #expect(result.severity == .general)
    }

    @Test("nobody trapped, nothing burning: not an emergency", arguments: [
        "没有人被困，就是电梯停在14楼不动",
        "No one is trapped but lift 2 has been stuck on 14/F for an hour",
        "没着火哈，就是烟感坏了一直响",
    ])
    func negatedHazards(text: String) throws {
        let result = Classifier(rules: try ClassifierFiles.shippedRules()).classify(text)
        #expect(result.severity != .emergency)
    }

    @Test("real hazards are emergencies", arguments: [
        ("电梯困人了！！我妈在里面", Category.elevator),
        ("Strong gas smell on our floor, please send someone NOW", .fireSafety),
        ("廚房著火了，好大煙", .fireSafety),
        ("插座冒火花了", .electrical),
        ("水管爆了，客厅全淹了", .plumbing),
    ])
    func emergencies(text: String, category: Category) throws {
        let result = Classifier(rules: try ClassifierFiles.shippedRules()).classify(text)
        #expect(result.severity == .emergency)
        #expect(result.category == category)
    }

    @Test("traditional Chinese and Cantonese messages classify like simplified ones")
    func traditionalChinese() throws {
        let classifier = Classifier(rules: try ClassifierFiles.shippedRules())
        let result = classifier.classify("你好，第6座9樓A室廚房嘅水喉漏水，唔該安排師傅上嚟睇下")
        #expect(result.category == .plumbing)
        #expect(result.intent == .repair)
        #expect(result.department == .engineering)
        #expect(result.location == Location(building: "6", room: "9A"))
        #expect(ReplyLocale.detect("電梯壞咗") == .zhHant)
        #expect(ReplyLocale.detect("电梯坏了") == .zhHans)
        #expect(ReplyLocale.detect("The lift is broken") == .en)
    }

    @Test("major signals: 12345, fee refusal, repeated reports, collective complaints", arguments: [
        "楼上漏水跟你们说了三次了还是没人管，再不处理我就打12345了",
        "This is the third time I'm reporting no hot water. I'm withholding my management fee.",
        "我们几十户业主已经联名投诉电梯的问题",
    ])
    func majorComplaints(text: String) throws {
        let result = Classifier(rules: try ClassifierFiles.shippedRules()).classify(text)
        #expect(result.severity == .major)
        #expect(result.intent == .complaint)
    }

    @Test("a repair without a location asks for one")
    func missingLocation() throws {
        let classifier = Classifier(rules: try ClassifierFiles.shippedRules())
        #expect(classifier.classify("厨房水龙头一直漏水，麻烦派人来看看").missing == ["location"])
        #expect(classifier.classify("厨房水龙头一直漏水，麻烦派人来看看 3栋2单元501").missing.isEmpty)
        #expect(classifier.classify("请问物业费可以用支付宝交吗").missing.isEmpty)
    }

    @Test("departments come from the categories section of rules.yaml")
    func departments() throws {
        let rules = try ClassifierFiles.shippedRules()
        #expect(rules.department(for: .fireSafety) == .fireControl)
        #expect(rules.department(for: .staffConduct) == .management)
        #expect(rules.department(for: .parking) == .security)
        #expect(rules.department(for: .sanitation) == .environment)
        #expect(rules.department(for: .general) == .service)
    }

    @Test("classifications encode with the label values of LABELS.md")
    func encoding() throws {
        let result = Classifier(rules: try ClassifierFiles.shippedRules()).classify("5栋楼道里好大一股煤气味！！")
        let json = String(decoding: try JSONEncoder().encode(result), as: UTF8.self)
        #expect(json.contains("\"fire_safety\""))
        #expect(json.contains("\"fire_control\""))
        #expect(json.contains("\"emergency\""))
        #expect(Severity.general < .major && Severity.major < .emergency)
    }

    @Test("accuracy on the dev corpus stays above its floor")
    func devCorpusAccuracy() throws {
        let classifier = Classifier(rules: try ClassifierFiles.shippedRules())
        let rows = try ClassifierFiles.devCorpus()
        #expect(rows.count == 400)
        let scores = try CorpusScores(rows, classifier: classifier)
        // Floors: the figures reached with this rules file minus a small margin (see the classifier
        // report). Raise them when the rules improve; never lower them to make a change pass.
        #expect(scores.rate(scores.category) >= 0.96, "category \(scores.category)/\(rows.count)")
        #expect(scores.rate(scores.intent) >= 0.93, "intent \(scores.intent)/\(rows.count)")
        #expect(scores.rate(scores.severity) >= 0.97, "severity \(scores.severity)/\(rows.count)")
        #expect(scores.rate(scores.location) >= 0.97, "location \(scores.location)/\(rows.count)")
        #expect(Double(scores.emergenciesFound) / Double(scores.emergencies) >= 0.95,
                "emergency recall \(scores.emergenciesFound)/\(scores.emergencies)")
        #expect(Double(scores.emergenciesFound) / Double(max(scores.emergencyVerdicts, 1)) >= 0.9,
                "emergency precision \(scores.emergenciesFound)/\(scores.emergencyVerdicts)")
    }

    /// Held-out sets written from the LABELS.md conventions, not from dev sentences (see Fixtures/README.md).
    /// heldout.jsonl was used while broadening the rules; heldout-b.jsonl was not until a later session,
    /// and heldout-c.jsonl was written blind and scored before its misses were looked at (its first
    /// figures, in Fixtures/README.md, are the honest estimate for unseen messages). Floors are the figures
    /// reached minus a small margin: raise them when the rules improve, never lower them to make a change pass.
    @Test("accuracy on the held-out corpora stays above its floors", arguments: [
        // Reached: category 98.0%, intent 96.1%, severity 99.5%, location 100%, emergencies 21/21 (21 verdicts),
        // major 27/27.
        HeldOutFloors(file: "heldout.jsonl", rows: 204, category: 0.96, intent: 0.94, severity: 0.97, location: 0.98,
                      emergencyRecall: 0.95, emergencyPrecision: 0.9, majorRecall: 0.92),
        // Reached: category 96.9%, intent 89.8%, severity 98.0%, location 100%, emergencies 9/9 (10 verdicts),
        // major 11/12.
        HeldOutFloors(file: "heldout-b.jsonl", rows: 98, category: 0.94, intent: 0.87, severity: 0.95, location: 0.97,
                      emergencyRecall: 0.88, emergencyPrecision: 0.8, majorRecall: 0.8),
        // Reached: category 91.7%, intent 95.0%, severity 98.3%, location 99.2%, emergencies 15/15 (15 verdicts),
        // major 19/20.
        HeldOutFloors(file: "heldout-c.jsonl", rows: 120, category: 0.89, intent: 0.92, severity: 0.95, location: 0.97,
                      emergencyRecall: 0.93, emergencyPrecision: 0.9, majorRecall: 0.9),
    ])
    func heldOutCorpusAccuracy(floors: HeldOutFloors) throws {
        let rows = try ClassifierFiles.corpus(floors.file)
        #expect(rows.count == floors.rows)
        let scores = try CorpusScores(rows, classifier: Classifier(rules: try ClassifierFiles.shippedRules()))
        #expect(scores.rate(scores.category) >= floors.category, "category \(scores.category)/\(scores.total)")
        #expect(scores.rate(scores.intent) >= floors.intent, "intent \(scores.intent)/\(scores.total)")
        #expect(scores.rate(scores.severity) >= floors.severity, "severity \(scores.severity)/\(scores.total)")
        #expect(scores.rate(scores.location) >= floors.location, "location \(scores.location)/\(scores.total)")
        #expect(Double(scores.emergenciesFound) / Double(max(scores.emergencies, 1)) >= floors.emergencyRecall,
                "emergency recall \(scores.emergenciesFound)/\(scores.emergencies)")
        #expect(Double(scores.emergenciesFound) / Double(max(scores.emergencyVerdicts, 1)) >= floors.emergencyPrecision,
                "emergency precision \(scores.emergenciesFound)/\(scores.emergencyVerdicts)")
        #expect(Double(scores.majorsFound) / Double(max(scores.majors, 1)) >= floors.majorRecall,
                "major recall \(scores.majorsFound)/\(scores.majors)")
    }

    /// Rounds 1–19 were each scored blind and then tuned on; round-final was scored once by the rules alone and
    /// once with the learned model, round 20 once, and both were then tuned and trained on; round 21 was written
    /// blind and scored once, never tuned or trained on (its figure is the one the README quotes). Raise a floor when the rules improve; never
    /// lower one to make a change pass.
    @Test("accuracy on the corpus rounds stays above its floors", arguments: [
        RoundFloors(file: "round-1.jsonl", rows: 220, category: 0.90, intent: 0.81, emergencyRecall: 0.90,
                    emergencyPrecision: 0.90, majorOrWorseRecall: 0.89, conductRecall: 0.94, location: 0.97),
        RoundFloors(file: "round-2.jsonl", rows: 220, category: 0.88, intent: 0.89, emergencyRecall: 0.87,
                    emergencyPrecision: 0.94, majorOrWorseRecall: 0.89, conductRecall: 0.88, location: 0.96),
        RoundFloors(file: "round-3.jsonl", rows: 220, category: 0.89, intent: 0.86, emergencyRecall: 0.94,
                    emergencyPrecision: 0.90, majorOrWorseRecall: 0.92, conductRecall: 0.94, location: 0.96),
        RoundFloors(file: "round-4.jsonl", rows: 220, category: 0.87, intent: 0.84, emergencyRecall: 0.90,
                    emergencyPrecision: 0.87, majorOrWorseRecall: 0.88, conductRecall: 0.88, location: 0.94),
        RoundFloors(file: "round-5.jsonl", rows: 220, category: 0.89, intent: 0.83, emergencyRecall: 0.94,
                    emergencyPrecision: 0.86, majorOrWorseRecall: 0.90, conductRecall: 0.86, location: 0.97),
        RoundFloors(file: "round-6.jsonl", rows: 320, category: 0.88, intent: 0.83, emergencyRecall: 0.94,
                    emergencyPrecision: 0.94, majorOrWorseRecall: 0.89, conductRecall: 0.90, location: 0.95),
        RoundFloors(file: "round-7.jsonl", rows: 220, category: 0.88, intent: 0.88, emergencyRecall: 0.90,
                    emergencyPrecision: 0.87, majorOrWorseRecall: 0.91, conductRecall: 0.94, location: 0.95),
        RoundFloors(file: "round-8.jsonl", rows: 220, category: 0.90, intent: 0.86, emergencyRecall: 0.90,
                    emergencyPrecision: 0.90, majorOrWorseRecall: 0.89, conductRecall: 0.89, location: 0.95),
        RoundFloors(file: "round-9.jsonl", rows: 220, category: 0.93, intent: 0.88, emergencyRecall: 0.94,
                    emergencyPrecision: 0.94, majorOrWorseRecall: 0.92, conductRecall: 0.88, location: 0.94),
        RoundFloors(file: "round-10.jsonl", rows: 220, category: 0.88, intent: 0.86, emergencyRecall: 0.94,
                    emergencyPrecision: 0.84, majorOrWorseRecall: 0.94, conductRecall: 0.94, location: 0.97),
        RoundFloors(file: "round-11.jsonl", rows: 220, category: 0.91, intent: 0.86, emergencyRecall: 0.94,
                    emergencyPrecision: 0.90, majorOrWorseRecall: 0.89, conductRecall: 0.94, location: 0.96),
        RoundFloors(file: "round-12.jsonl", rows: 220, category: 0.93, intent: 0.85, emergencyRecall: 0.94,
                    emergencyPrecision: 0.94, majorOrWorseRecall: 0.94, conductRecall: 0.88, location: 0.97),
        RoundFloors(file: "round-13.jsonl", rows: 220, category: 0.82, intent: 0.77, emergencyRecall: 0.82,
                    emergencyPrecision: 0.75, majorOrWorseRecall: 0.80, conductRecall: 0.70, location: 0.95),
        RoundFloors(file: "round-14.jsonl", rows: 220, category: 0.88, intent: 0.85, emergencyRecall: 0.87,
                    emergencyPrecision: 0.87, majorOrWorseRecall: 0.87, conductRecall: 0.94, location: 0.96),
        RoundFloors(file: "round-15.jsonl", rows: 320, category: 0.89, intent: 0.87, emergencyRecall: 0.94,
                    emergencyPrecision: 0.91, majorOrWorseRecall: 0.94, conductRecall: 0.90, location: 0.95),
        RoundFloors(file: "round-16.jsonl", rows: 320, category: 0.93, intent: 0.89, emergencyRecall: 0.89,
                    emergencyPrecision: 0.86, majorOrWorseRecall: 0.90, conductRecall: 0.94, location: 0.95),
        RoundFloors(file: "round-17.jsonl", rows: 320, category: 0.92, intent: 0.88, emergencyRecall: 0.94,
                    emergencyPrecision: 0.91, majorOrWorseRecall: 0.93, conductRecall: 0.94, location: 0.97),
        RoundFloors(file: "round-18a.jsonl", rows: 160, category: 0.94, intent: 0.85, emergencyRecall: 0.94,
                    emergencyPrecision: 0.89, majorOrWorseRecall: 0.92, conductRecall: 0.94, location: 0.98),
        RoundFloors(file: "round-18b.jsonl", rows: 160, category: 0.90, intent: 0.86, emergencyRecall: 0.94,
                    emergencyPrecision: 0.89, majorOrWorseRecall: 0.94, conductRecall: 0.94, location: 0.95),
        RoundFloors(file: "round-19.jsonl", rows: 480, category: 0.87, intent: 0.83, emergencyRecall: 0.87,
                    emergencyPrecision: 0.86, majorOrWorseRecall: 0.89, conductRecall: 0.88, location: 0.93),
        RoundFloors(file: "round-final.jsonl", rows: 480, category: 0.86, intent: 0.83, emergencyRecall: 0.95,
                    emergencyPrecision: 0.76, majorOrWorseRecall: 0.95, conductRecall: 0.80, location: 0.95),
        RoundFloors(file: "round-20.jsonl", rows: 319, category: 0.91, intent: 0.88, emergencyRecall: 0.97,
                    emergencyPrecision: 0.84, majorOrWorseRecall: 0.96, conductRecall: 0.85, location: 0.96),
        RoundFloors(file: "round-21.jsonl", rows: 317, category: 0.87, intent: 0.84, emergencyRecall: 0.95,
                    emergencyPrecision: 0.90, majorOrWorseRecall: 0.92, conductRecall: 0.80, location: 0.94),
    ])
    func roundAccuracy(floors: RoundFloors) throws {
        let rows = try ClassifierFiles.corpus(floors.file)
        #expect(rows.count == floors.rows)
        let scores = try CorpusScores(rows, classifier: Classifier(rules: try ClassifierFiles.shippedRules()))
        func ratio(_ found: Int, _ of: Int) -> Double { Double(found) / Double(max(of, 1)) }
        #expect(scores.rate(scores.category) >= floors.category, "category \(scores.category)/\(scores.total)")
        #expect(scores.rate(scores.intent) >= floors.intent, "intent \(scores.intent)/\(scores.total)")
        #expect(scores.rate(scores.location) >= floors.location, "location \(scores.location)/\(scores.total)")
        #expect(ratio(scores.emergenciesFound, scores.emergencies) >= floors.emergencyRecall,
                "emergency recall \(scores.emergenciesFound)/\(scores.emergencies)")
        #expect(ratio(scores.emergenciesFound, scores.emergencyVerdicts) >= floors.emergencyPrecision,
                "emergency precision \(scores.emergenciesFound)/\(scores.emergencyVerdicts)")
        #expect(ratio(scores.seriousFound, scores.serious) >= floors.majorOrWorseRecall,
                "major-or-worse recall \(scores.seriousFound)/\(scores.serious)")
        #expect(ratio(scores.conductFound, scores.conduct) >= floors.conductRecall,
                "staff-conduct recall \(scores.conductFound)/\(scores.conduct)")
    }

    // MARK: Rules file errors

    @Test("a rule with an unknown category fails with the rule id, the value and the line")
    func unknownCategoryError() throws {
        let yaml = minimalYAML + "\n  - { id: plumbing.typo, category: plumbin, any: [水管] }\n"
        let error = try #require(throws: ClassifierError.self) { try RuleSet.parse(yaml: yaml) }
        #expect(error.code == .invalidValue)
        #expect(error.description.contains("plumbing.typo"))
        #expect(error.description.contains("unknown category 'plumbin'"))
        #expect(error.line != nil)
    }

    @Test("a duplicate rule id fails and names both places")
    func duplicateRuleIDError() throws {
        let yaml = minimalYAML + "\n  - { id: fees.fee, category: fees, any: [bill] }\n"
        let error = try #require(throws: ClassifierError.self) { try RuleSet.parse(yaml: yaml) }
        #expect(error.code == .duplicateRuleID)
        #expect(error.description.contains("duplicate rule id 'fees.fee'"))
        #expect(error.description.contains("first defined on line"))
    }

    @Test("other rules-file mistakes are reported clearly", arguments: [
        ("\n  - { id: x.unknown_group, category: fees, any: [\"@nope\"] }\n", "unknown group '@nope'"),
        ("\n  - { id: x.two_targets, category: fees, intent: inquiry, any: [a] }\n", "exactly one of category, intent, severity"),
        ("\n  - { id: x.no_keywords, category: fees }\n", "needs 'any' or 'all'"),
        ("\n  - { id: x.typo_key, category: fees, anny: [a] }\n", "unknown key 'anny'"),
    ])
    func otherErrors(suffix: String, message: String) throws {
        let error = try #require(throws: ClassifierError.self) { try RuleSet.parse(yaml: minimalYAML + suffix) }
        #expect(error.description.contains(message), "\(error.description)")
    }

    @Test("a categories table missing a category or its department is rejected")
    func incompleteCategories() throws {
        let yaml = minimalYAML.replacingOccurrences(of: "  general:       { department: service, intent: inquiry }\n", with: "")
        let error = try #require(throws: ClassifierError.self) { try RuleSet.parse(yaml: yaml) }
        #expect(error.description.contains("missing: general"))
        #expect(throws: ClassifierError.self) { try RuleSet.parse(yaml: "rules: [") }
    }

    @Test("the rules version is a stable 16-hex-digit hash of the text")
    func version() throws {
        let first = try RuleSet.parse(yaml: minimalYAML)
        let again = try RuleSet.parse(yaml: minimalYAML)
        let changed = try RuleSet.parse(yaml: minimalYAML + "\n")
        #expect(first.version == again.version)
        #expect(first.version != changed.version)
        #expect(first.version.count == 16)
        #expect(first.version.allSatisfy { $0.isHexDigit })
    }
}

@Suite("Classifier: phone numbers in the output")
struct ClassifierPhoneTests {
    @Test("a callback number is reported in E.164 with its place in the original message; unit numbers are not phones")
    func phones() throws {
        let classifier = Classifier(rules: try ClassifierFiles.shippedRules())
        let text = "🔥3-2-501厨房漏水，请打我电话１３８ １２３４ ５６７８"
        let result = classifier.classify(text)
        #expect(result.phones.map { $0.e164 } == ["+8613812345678"])
        let range = try #require(result.phones.first?.range)
        #expect(String(String.UnicodeScalarView(Array(text.unicodeScalars)[range])) == "１３８ １２３４ ５６７８")
        #expect(result.location?.room == "501")
        #expect(classifier.classify("3栋2单元501厨房漏水").phones.isEmpty)
    }
}
