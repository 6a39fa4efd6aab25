import FirstaskApp
import FirstaskClassifier
import FirstaskDesk
import FirstaskTesting
import Foundation
import Testing

// Learning from staff corrections, part 1: the text commands, what the desk does with them, the store.
// The day shift at 10:00 Shanghai: service 王芳 wang_fang, engineering 张伟 zhang_wei (head 赵刚 zhao_gang),
// control room 孙丽 sun_li, security 吴浩 wu_hao (head 马林 ma_lin), environment 何霞 he_xia; leader 林国 lin_guo.

@Suite("Correction commands: grammar")
struct CorrectionGrammarTests {
    static let words = try! Prompts.load(folder: RepositoryFiles.prompts).commands

    @Test("regrade and category parse in Chinese (both scripts) and English, verb or ref first, T1 for T0001", arguments: [
        ("改 T0001 紧急", StaffCommand(verb: .regrade, ref: "T0001", text: "紧急")),
        ("改T3 重大 住户说要打12345", StaffCommand(verb: .regrade, ref: "T0003", text: "重大 住户说要打12345")),
        ("改級 t2 緊急", StaffCommand(verb: .regrade, ref: "T0002", text: "緊急")),
        ("regrade T1 emergency", StaffCommand(verb: .regrade, ref: "T0001", text: "emergency")),
        ("T1 regrade major", StaffCommand(verb: .regrade, ref: "T0001", text: "major")),
        ("类别 T0001 电梯", StaffCommand(verb: .category, ref: "T0001", text: "电梯")),
        ("類別　Ｔ０００５：電梯", StaffCommand(verb: .category, ref: "T0005", text: "電梯")),
        ("category T1 elevator stuck between floors", StaffCommand(verb: .category, ref: "T0001", text: "elevator stuck between floors")),
        ("CATEGORY t12 fire_safety", StaffCommand(verb: .category, ref: "T0012", text: "fire_safety")),
    ])
    func parses(input: String, expected: StaffCommand) {
        #expect(Self.words.parse(input) == expected)
    }

    @Test("severity names: Chinese, traditional, English, the label itself; the rest of the text is the reason", arguments: [
        ("紧急", Severity.emergency, ""), ("緊急 有小孩在天台边", .emergency, "有小孩在天台边"), ("emergency", .emergency, ""),
        ("URGENT now", .emergency, "now"), ("重大", .major, ""), ("嚴重", .major, ""), ("major", .major, ""),
        ("一般", .general, ""), ("general", .general, ""), ("minor 只是划痕", .general, "只是划痕"),
    ])
    func severities(input: String, severity: Severity, reason: String) throws {
        let parsed = try #require(Self.words.severity(in: input))
        #expect(parsed.0 == severity)
        #expect(parsed.reason == reason)
    }

    @Test("category names: Chinese, traditional, English, the label itself", arguments: [
        ("电梯", Category.elevator), ("電梯", .elevator), ("lift", .elevator), ("给排水", .plumbing), ("給排水", .plumbing),
        ("plumbing", .plumbing), ("消防", .fireSafety), ("fire_safety", .fireSafety), ("服务态度", .staffConduct),
        ("服務態度", .staffConduct), ("conduct", .staffConduct), ("收费", .fees), ("Fees", .fees), ("綠化", .greenery),
        ("治安", .security), ("停車", .parking), ("噪音", .noise), ("卫生", .sanitation), ("设施", .facility),
        ("电路", .electrical), ("装修", .renovation), ("综合", .general), ("other", .general),
    ])
    func categories(input: String, category: Category) throws {
        #expect(try #require(Self.words.category(in: input + " 原因")).0 == category)
    }

    @Test("every category and severity has a Chinese and an English name in commands.yaml")
    func everyLabelNamed() {
        func hasBoth(_ names: [String]) -> Bool {
            names.contains { $0.unicodeScalars.contains { $0.value >= 0x4E00 } } && names.contains { $0.allSatisfy(\.isASCII) }
        }
        for category in Category.allCases {
            #expect(hasBoth(Self.words.categories[category] ?? []), "\(category)")
        }
        for severity in Severity.allCases {
            #expect(hasBoth(Self.words.severities[severity] ?? []), "\(severity)")
        }
    }

    @Test("no name, or an unknown one, is not guessed at", arguments: ["", "很急吧", "T0002", "super"])
    func unknownNames(input: String) {
        #expect(Self.words.severity(in: input) == nil)
        #expect(Self.words.category(in: input) == nil)
    }

    @Test("a ticket's reading is recovered from its timeline when it was stored before readings were kept")
    func recoveredReading() {
        var ticket = Ticket(ref: "T0001", intent: .complaint, category: .security, department: .engineering,
                            severity: .major, location: nil, resident: "+8613900000000", channel: "sms", locale: .zhHans,
                            text: "楼顶有小孩", firstResponder: "wang_fang", handler: "zhang_wei", rulesVersion: "v1",
                            createdAt: DeskHarness.day)
        ticket.departments = [.engineering, .security]
        let events = [
            TicketEvent(ticketRef: "T0001", at: DeskHarness.day, actor: "resident", kind: .opened, text: "楼顶有小孩"),
            TicketEvent(ticketRef: "T0001", at: DeskHarness.day, actor: "system", kind: .assigned,
                        text: "first_responder=wang_fang handler=zhang_wei rules=v1 labels=repair/facility/general fired=facility.door,intent.repair"),
        ]
        #expect(ClassifierReading.recovered(from: ticket, events: events) == ClassifierReading(
            text: "楼顶有小孩", intent: .repair, category: .facility, department: .engineering, severity: .general,
            rules: ["facility.door", "intent.repair"], rulesVersion: "v1"))
        // Nothing on the timeline: the ticket's labels as they stand.
        #expect(ClassifierReading.recovered(from: ticket, events: []).category == .security)
    }
}

@Suite("Desk: label corrections")
struct DeskCorrectionTests {
    let resident = "+8613911110001"

    func corrections(_ desk: DeskHarness) async throws -> [LabelCorrection] {
        try await desk.store.corrections(since: nil)
    }

    @Test("first responder, handler, the department's head and leadership may correct; others are refused on the timeline")
    func permissions() async throws {
        var desk = try await DeskHarness()
        _ = try await desk.receive("3栋2单元的电梯按钮坏了", from: resident)
        var ticket = try await desk.ticket("T0001")
        #expect(ticket.category == .elevator && ticket.severity == .general)
        #expect(ticket.firstResponder == "wang_fang" && ticket.handler == "zhang_wei")

        for (staff, command) in [("he_xia", "改 T1 紧急"), ("ma_lin", "category T1 security"), ("li_qiang", "regrade T1 major")] {
            _ = try await desk.receive(command, from: desk.phone(staff))
            #expect(try await desk.outbox(to: desk.phone(staff)).last?.contains("不能操作") == true, "\(staff)")
        }
        #expect(try await desk.events("T0001").filter { $0.text.hasPrefix("refused regrade") }.count == 2)
        #expect(try await desk.events("T0001").contains { $0.actor == "ma_lin" && $0.text.hasPrefix("refused category") })
        ticket = try await desk.ticket("T0001")
        #expect(ticket.severity == .general && ticket.category == .elevator)
        #expect(try await corrections(desk).isEmpty)

        _ = try await desk.receive("类别 T1 设施 是单元门禁按钮", from: desk.phone("wang_fang"))  // first responder
        _ = try await desk.receive("改 T1 重大", from: desk.phone("zhang_wei"))  // handler
        _ = try await desk.receive("改 T1 紧急", from: desk.phone("zhao_gang"))  // head of engineering
        _ = try await desk.receive("regrade T1 general", from: desk.phone("lin_guo"))  // leadership
        let made = try await corrections(desk)
        #expect(made.map(\.by) == ["wang_fang", "zhang_wei", "zhao_gang", "lin_guo"])
        #expect(made.map(\.kind) == [.category, .severity, .severity, .severity])
        ticket = try await desk.ticket("T0001")
        #expect(ticket.category == .facility && ticket.department == .engineering && ticket.severity == .general)
        #expect(try await desk.outbox(to: desk.phone("wang_fang")).contains { $0.contains("T0001已改为公共设施类") })
        #expect(try await desk.outbox(to: desk.phone("lin_guo")).last?.contains("工单T0001已改为一般") == true)
    }

    @Test("the person a conduct complaint is about may not correct it")
    func conductSubject() async throws {
        var desk = try await DeskHarness()
        _ = try await desk.receive("保安吴浩态度很差还骂人", from: resident)
        #expect(try await desk.ticket("T0001").conductSubject == "wu_hao")
        _ = try await desk.receive("改 T1 一般", from: desk.phone("wu_hao"))
        #expect(try await desk.ticket("T0001").severity == .major)
        #expect(try await desk.events("T0001").contains { $0.actor == "wu_hao" && $0.text == "refused regrade: the complaint is about them" })
        #expect(try await corrections(desk).isEmpty)
    }

    @Test("a regrade to emergency pages the duty team and control room as an emergency at opening would; deadlines follow")
    func regradeToEmergencyPages() async throws {
        // An emergency at opening: the handler is told, the control room paged.
        var atOpen = try await DeskHarness()
        _ = try await atOpen.receive("3栋2单元的电梯困人了，里面有个老人", from: resident)
        let opened = try await atOpen.ticket("T0001")
        #expect(opened.severity == .emergency && opened.department == .engineering)
        #expect(opened.helpers == ["sun_li"])
        #expect(try await atOpen.outbox(to: atOpen.phone("sun_li")).contains { $0.hasPrefix("【紧急】工单T0001") })

        // The same department's ticket read as general, re-graded by the head: the same people alerted.
        var desk = try await DeskHarness()
        _ = try await desk.receive("3栋2单元的电梯按钮坏了", from: resident)
        #expect(try await desk.ticket("T0001").severity == .general)
        desk.advance(600)
        _ = try await desk.receive("改 T0001 紧急 有老人被困在里面", from: desk.phone("zhao_gang"))
        let ticket = try await desk.ticket("T0001")
        #expect(ticket.severity == .emergency)
        #expect(Set(ticket.helpers) == ["zhang_wei", "sun_li"])  // the handler was not alerted yet in this turn
        for staff in ["zhang_wei", "sun_li"] {
            #expect(try await desk.outbox(to: desk.phone(staff)).contains { $0.hasPrefix("【紧急】工单T0001") }, "\(staff)")
        }
        #expect(try await desk.events("T0001").contains { $0.kind == .paged && $0.text.contains("sun_li") })
        #expect(try await desk.outbox(to: resident).last?.contains("紧急") == true)
        #expect(try await desk.outbox(to: desk.phone("zhao_gang")).last?.contains("T0001已改为紧急") == true)
        // The clocks run on the emergency's deadlines from the re-grade (5m / 15m / 4h).
        #expect(ticket.firstResponseDueAt == desk.now.addingTimeInterval(5 * 60))
        #expect(ticket.promisedReplyAt == desk.now.addingTimeInterval(15 * 60))
        #expect(ticket.resolutionDueAt == desk.now.addingTimeInterval(4 * 3600))
        #expect(ticket.firstResponseAt == nil)  // a correction is no answer to the resident

        let correction = try #require(try await corrections(desk).first)
        #expect(correction.kind == .severity && correction.severity == .emergency && correction.by == "zhao_gang")
        #expect(correction.reading.text == "3栋2单元的电梯按钮坏了")
        #expect(correction.reading.severity == .general && correction.reading.category == .elevator)
        #expect(correction.reading.department == .engineering && correction.reading.intent == .repair)
        #expect(correction.reading.rules.contains("elevator.lift"))
        #expect(correction.reading.rulesVersion == desk.desk.classifier.rules.version)
        #expect(try await desk.events("T0001").contains {
            $0.kind == .corrected && $0.actor == "zhao_gang" && $0.text == "severity general → emergency: 有老人被困在里面"
        })
    }

    @Test("a regrade of a gas report to emergency also sends the security patrol, as at opening; to major it is reported up")
    func regradeGasAndMajor() async throws {
        var desk = try await DeskHarness()
        _ = try await desk.receive("5栋2单元302厨房的煤气灶拧不上了", from: resident)
        #expect(try await desk.ticket("T0001").severity == .general)
        _ = try await desk.receive("regrade T1 emergency", from: desk.phone("lin_guo"))
        #expect(try await desk.outbox(to: desk.phone("wu_hao")).last?.contains("【现场核查】工单T0001") == true)

        _ = try await desk.receive("3栋2单元的电梯按钮坏了", from: "+8613911110002")
        _ = try await desk.receive("改 T2 重大 已经第三次了", from: desk.phone("zhang_wei"))
        #expect(try await desk.ticket("T0002").severity == .major)
        for staff in ["zhao_gang", "lin_guo"] {
            #expect(try await desk.outbox(to: desk.phone(staff)).last?.hasPrefix("【重大投诉】工单T0002") == true, "\(staff)")
        }
        // Back down: nobody is alerted again, the reply time promised to the resident stands.
        let promised = try await desk.ticket("T0002").promisedReplyAt
        let before = try await desk.store.outbound(status: nil).count
        desk.advance(60)
        _ = try await desk.receive("改 T2 一般", from: desk.phone("zhang_wei"))
        #expect(try await desk.ticket("T0002").promisedReplyAt == promised)
        #expect(try await desk.store.outbound(status: nil).count == before + 2)  // the confirmation, the first responder told
    }

    @Test("a category correction moves the ticket to that category's department like a transfer and is recorded")
    func categoryMoves() async throws {
        var desk = try await DeskHarness()
        _ = try await desk.receive("5栋地下车库B2停车位上有一大滩水", from: resident)
        var ticket = try await desk.ticket("T0001")
        #expect(ticket.category == .parking && ticket.handler == "wu_hao")
        _ = try await desk.receive("类别 T1 给排水 地库进水", from: desk.phone("wu_hao"))
        ticket = try await desk.ticket("T0001")
        #expect(ticket.category == .plumbing && ticket.department == .engineering && ticket.handler == "zhang_wei")
        #expect(ticket.departments == [.security, .engineering] && ticket.transferCount == 1)
        #expect(try await desk.outbox(to: desk.phone("zhang_wei")).last?.contains("【转派给你】工单T0001") == true)
        #expect(try await desk.outbox(to: resident).last?.contains("地库进水") == true)
        let confirmation = try await desk.outbox(to: desk.phone("wu_hao")).last
        #expect(confirmation?.contains("T0001已改为漏水/给排水类，由工程部张伟处理") == true)
        #expect(try await desk.outbox(to: desk.phone("wang_fang")).last?.contains("更正了类别: 漏水/给排水 → 工程部") == true)

        let correction = try #require(try await corrections(desk).first)
        #expect(correction.kind == .category && correction.category == .plumbing && correction.department == .engineering)
        #expect(correction.severity == nil)
        #expect(correction.reading.category == .parking && correction.reading.department == .security)
        #expect(correction.changes == ["category: parking → plumbing", "department: security → engineering"])

        // The same category again changes nothing and records nothing.
        _ = try await desk.receive("类别 T1 漏水", from: desk.phone("zhang_wei"))
        #expect(try await desk.outbox(to: desk.phone("zhang_wei")).last?.contains("无需更改") == true)
        #expect(try await corrections(desk).count == 1)
    }

    @Test("a transfer is recorded as a correction of the department only; a closed ticket only has its label corrected")
    func transferAndClosed() async throws {
        var desk = try await DeskHarness()
        _ = try await desk.receive("3栋2单元的电梯按钮坏了", from: resident)
        _ = try await desk.receive("转 T1 保安 有人故意破坏", from: desk.phone("zhang_wei"))
        var made = try await corrections(desk)
        try #require(made.count == 1)
        #expect(made[0].kind == .transfer && made[0].department == .security && made[0].category == nil && made[0].severity == nil)
        #expect(try await desk.events("T0001").contains { $0.kind == .corrected && $0.text == "department engineering → security (transfer)" })

        _ = try await desk.receive("谢谢王芳帮我们找回了钥匙", from: "+8613911110002")
        #expect(try await desk.ticket("T0002").status == .closed)
        let before = try await desk.store.outbound(status: nil).count
        _ = try await desk.receive("改 T2 紧急", from: desk.phone("wang_fang"))
        let closed = try await desk.ticket("T0002")
        #expect(closed.severity == .emergency && closed.status == .closed && closed.helpers.isEmpty)
        let texts = try await desk.store.outbound(status: nil).dropFirst(before).map(\.text)
        #expect(texts.first?.contains("工单T0002已改为紧急") == true)  // the confirmation; nobody paged, the resident not told
        #expect(texts.allSatisfy { !$0.contains("【紧急】") })
        let toResident = try await desk.outbox(to: "+8613911110002")
        #expect(toResident.allSatisfy { !$0.contains("紧急") })
        made = try await corrections(desk)
        try #require(made.count == 2)
        #expect(made[1].ticketRef == "T0002" && made[1].reading.intent == .praise)
    }

    @Test("the ticket keeps what the classifier read: at opening, and again when the resident's answer is classified")
    func readingKept() async throws {
        var desk = try await DeskHarness()
        _ = try await desk.receive("那个东西又坏了", from: resident)
        var reading = try #require(try await desk.ticket("T0001").reading)
        #expect(reading.text == "那个东西又坏了" && reading.category == .general)
        _ = try await desk.receive("是3栋2单元的电梯，停在5楼不动", from: resident)
        reading = try #require(try await desk.ticket("T0001").reading)
        #expect(reading.text == "那个东西又坏了\n是3栋2单元的电梯，停在5楼不动" && reading.category == .elevator)
    }
}
