import Foundation
import Testing
import FirstaskClassifier

/// Minimal pairs for the concept classes of `prompts/rules.yaml`: two messages about the same thing, one that
/// must be read one way and a look-alike that must not. Each pair pins one composition (a hazard source in a
/// dangerous state, a story told afterwards, a staff role with a misconduct behaviour), so a change that breaks
/// the composition fails here by name rather than as a point of accuracy somewhere in a corpus.
struct ClassifierConceptTests {
    private static let classifier: Classifier = {
        let prompts = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("prompts")
        // The shipped classifier: the rules and the learned model beside them (a look-alike must not become an
        // emergency through either).
        // swiftlint:disable force_try
        let rules = try! RuleSet.parse(yaml: String(contentsOf: prompts.appendingPathComponent("rules.yaml"), encoding: .utf8))
        let model = try! NgramModel.parse(String(contentsOf: prompts.appendingPathComponent(NgramModel.fileName), encoding: .utf8))
        // swiftlint:enable force_try
        return Classifier(rules: rules.attaching(model))
    }()

    /// The rules alone: the concept classes these pairs are about must hold without the model's help.
    private static let rulesAlone = Classifier(rules: classifier.rules.withoutLearned())

    /// Look-alikes the learned model reads wrong where the rules are silent: what its recall costs in precision
    /// (README, "The learned component"). Recorded as known issues so that a model that fixes one is noticed.
    private static let learnedLookAlikeErrors: Set<String> = [
        "地库有辆车停在我的车位上，车主电话打不通",          // read as the locked-in-car emergency
        "维修师傅被我说了一句，就摔门走了",                 // read as major
    ]

    /// Runs `body` on the rules alone and on the shipped classifier; a known error of the model is a known issue.
    private func both(_ text: String, _ body: (Classifier) -> Void) {
        body(Self.rulesAlone)
        if Self.learnedLookAlikeErrors.contains(text) {
            withKnownIssue("the learned model misreads this look-alike") { body(Self.classifier) }
        } else {
            body(Self.classifier)
        }
    }

    struct Pair: Sendable, CustomStringConvertible {
        var concept: String
        var text: String
        var severity: Severity
        var lookAlike: String
        var lookAlikeSeverity: Severity
        var description: String { concept }
    }

    @Test("a hazard happening now is an emergency; its look-alike is not", arguments: [
        Pair(concept: "smoke from a socket, or a socket that is only loose",
             text: "楼道的插座在冒烟，有股烧焦味", severity: .emergency,
             lookAlike: "楼道的插座有点松，暂时没事", lookAlikeSeverity: .general),
        Pair(concept: "water reaching a light fitting, or an old stain",
             text: "水从天花板的灯里一直流下来，开关也在滴水", severity: .emergency,
             lookAlike: "天花板有一块旧水渍，灯还好好的", lookAlikeSeverity: .general),
        Pair(concept: "locks being cut now, or cut last night",
             text: "有人正在车棚剪单车的锁，人还在", severity: .emergency,
             lookAlike: "昨晚我的单车锁被人剪了，车也没了", lookAlikeSeverity: .general),
        Pair(concept: "something thrown from height just now, or a claim about last month",
             text: "楼上刚刚扔下来一个花盆，砸在我女儿旁边，差点砸中她", severity: .emergency,
             lookAlike: "上个月楼上掉下来一个花盆砸坏了我的车，到现在没人处理，要求赔偿", lookAlikeSeverity: .major),
        Pair(concept: "a fall bleeding now, or a fall last year claimed for",
             text: "我妈刚刚在楼梯摔倒了，流了好多血", severity: .emergency,
             lookAlike: "去年在小区台阶上摔伤了腿，一直没人理，要求物业赔偿医药费", lookAlikeSeverity: .major),
        Pair(concept: "a building-wide alarm with uncertainty, or a drill",
             text: "整栋楼的火警警报一直在响，不知道是不是着火了", severity: .emergency,
             lookAlike: "消防演习的警铃响了，大家按安排下楼", lookAlikeSeverity: .general),
        Pair(concept: "a break-in in progress, or damage found afterwards",
             text: "Someone is trying to break into my car right now, he is still here", severity: .emergency,
             lookAlike: "My car window was smashed last night, nothing taken", lookAlikeSeverity: .general),
        Pair(concept: "a child locked in a car, or a car parked badly",
             text: "地库有辆车里锁着个小孩在哭，车窗都关着", severity: .emergency,
             lookAlike: "地库有辆车停在我的车位上，车主电话打不通", lookAlikeSeverity: .general),
        Pair(concept: "a person in a lift stopped between floors, or an empty stopped lift",
             text: "电梯停在两层中间不动了，我女儿在里面", severity: .emergency,
             lookAlike: "电梯停在5楼不动了，里面没有人被困，大家只能走楼梯", lookAlikeSeverity: .general),
        Pair(concept: "someone inside a lift stopped between floors, or a lift that only grinds between floors",
             text: "The lift stopped between floors and my dad is still inside", severity: .emergency,
             lookAlike: "The lift makes a grinding noise between floors 3 and 7 but still runs", lookAlikeSeverity: .general),
        Pair(concept: "stuck in a lift now, or stuck last Tuesday and claiming for it",
             text: "I'm stuck in the lift right now, please hurry", severity: .emergency,
             lookAlike: "I was stuck in the lift for an hour last Tuesday and I want compensation", lookAlikeSeverity: .major),
        Pair(concept: "a smoke alarm with smoke, or a detector chirping for a battery",
             text: "走廊的烟感一直在响，楼道里都是烟", severity: .emergency,
             lookAlike: "房间的烟感每分钟嘀一声，应该是电池没电了，请人来换一下", lookAlikeSeverity: .general),
    ])
    func hazards(pair: Pair) {
        both(pair.text) { #expect($0.classify(pair.text).severity == pair.severity, "\(pair.text)") }
        both(pair.lookAlike) { #expect($0.classify(pair.lookAlike).severity == pair.lookAlikeSeverity, "\(pair.lookAlike)") }
    }

    struct ConductPair: Sendable, CustomStringConvertible {
        var text: String
        var severity: Severity
        /// The same role word without misconduct, and the category it should keep.
        var lookAlike: String
        var lookAlikeCategory: FirstaskClassifier.Category
        var description: String { text }
    }

    @Test("a staff role with a misconduct behaviour is staff_conduct, whatever the role's department", arguments: [
        ConductPair(text: "停车场收费员态度恶劣，还骂我", severity: .major,
                    lookAlike: "停车场收费员帮我找到了车位，谢谢他", lookAlikeCategory: .parking),
        ConductPair(text: "保安对我大吼大叫，还推了我一把", severity: .major,
                    lookAlike: "保安巡逻时发现有陌生人在楼道徘徊", lookAlikeCategory: .security),
        ConductPair(text: "The cleaner rolled her eyes and walked off when I asked for help", severity: .general,
                    lookAlike: "The cleaners did a great job on the lobby, thank you", lookAlikeCategory: .sanitation),
        ConductPair(text: "The guard at the gate shouted at me and called me an idiot", severity: .major,
                    lookAlike: "Thanks to the guard at the gate who helped me carry my shopping", lookAlikeCategory: .security),
        ConductPair(text: "管家说这不归她管，叫我自己去找开发商", severity: .general,
                    lookAlike: "管家很快帮我联系了开发商，谢谢", lookAlikeCategory: .general),
        ConductPair(text: "凌晨两点岗亭的保安在睡觉，按了半天喇叭都没醒", severity: .major,
                    lookAlike: "凌晨两点岗亭的保安帮我开了门，很及时，谢谢", lookAlikeCategory: .security),
        ConductPair(text: "门岗的保安值班时喝啤酒，说话都大舌头了", severity: .major,
                    lookAlike: "门岗的保安帮我把两箱啤酒搬上楼，谢谢", lookAlikeCategory: .security),
        ConductPair(text: "收费亭的大叔要我给小费才肯开闸", severity: .major,
                    lookAlike: "维修师傅修好了热水器，一分钱小费都不要，谢谢", lookAlikeCategory: .plumbing),
        ConductPair(text: "The concierge mocked my accent in front of everyone", severity: .major,
                    lookAlike: "The concierge kept my parcel safe while I was away, thank you", lookAlikeCategory: .general),
        ConductPair(text: "维修师傅被我说了一句，就摔门走了", severity: .general,
                    lookAlike: "维修师傅走的时候把门轻轻带上了，很细心，谢谢", lookAlikeCategory: .general),
    ])
    func conduct(pair: ConductPair) {
        both(pair.text) { classifier in
            let complaint = classifier.classify(pair.text)
            #expect(complaint.category == .staffConduct, "\(pair.text): \(complaint.rules)")
            #expect(complaint.department == .management)
            #expect(complaint.intent == .complaint)
            #expect(complaint.severity == pair.severity, "\(pair.text)")
        }
        both(pair.lookAlike) { classifier in
            let praise = classifier.classify(pair.lookAlike)
            #expect(praise.category == pair.lookAlikeCategory, "\(pair.lookAlike): \(praise.rules)")
        }
    }

    @Test("rudeness next to a more severe problem is labelled by that problem; abuse stays conduct", arguments: [
        ("电梯这个月第三次坏了，每次打电话客服都爱理不理", FirstaskClassifier.Category.elevator, Severity.major),
        ("整栋楼停水一天了，打电话给管理处前台也是敷衍", .plumbing, .major),
        ("客服爱理不理，问了半天也不说电梯什么时候修", .staffConduct, .general),
        ("电梯坏了三次，维修师傅还骂我", .staffConduct, .major),
    ])
    func twoProblems(text: String, category: FirstaskClassifier.Category, severity: Severity) {
        let result = Self.classifier.classify(text)
        #expect(result.category == category, "\(text): \(result.rules)")
        #expect(result.severity == severity, "\(text)")
    }

    @Test("every concept-class verdict is traceable to the words that caused it")
    func evidence() {
        let result = Self.classifier.classify("楼道的插座在冒烟，有股烧焦味")
        let burning = result.spans.filter { $0.rule == "severity.emergency.burning" }
        #expect(!burning.isEmpty)
        #expect(burning.map(\.text).contains("插座"))
    }
}
