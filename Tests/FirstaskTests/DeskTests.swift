import FirstaskApp
import FirstaskClassifier
import FirstaskDesk
import FirstaskTesting
import Foundation
import Testing

/// A desk on the shipped prompts, over an in-memory store, at a fixed instant.
struct DeskHarness {
    let store = InMemoryStore()
    let desk: Desk
    let roster: Roster
    var now: Date
    var seq = 0

    static let day = ISO8601DateFormatter().date(from: "2026-12-01T02:00:00Z")!  // 10:00 in Shanghai

    init(now: Date = DeskHarness.day, policy: DeskPolicy = DeskPolicy()) async throws {
        desk = try Prompts.load(folder: RepositoryFiles.prompts).desk(policy: policy, defaultChannel: "sms")
        roster = try RosterFile.load(path: RepositoryFiles.roster)
        try await store.replaceRoster(roster)
        self.now = now
    }

    mutating func receive(_ text: String, from: String) async throws -> Desk.BatchResult {
        seq += 1
        _ = try await store.storeInbound(InboundBatch(
            channel: "sms", messages: [InboundMessage(channel: "sms", providerID: "m\(seq)", from: from, text: text, receivedAt: now)],
            cursor: String(seq)))
        let desk = self.desk
        let now = self.now
        return try await store.write { tx in try desk.process(tx, now: now, limit: 100) }
    }

    /// Runs the desk's clocks at `now`.
    func tick() async throws -> Desk.BatchResult {
        let desk = self.desk
        let now = self.now
        return try await store.write { tx in try desk.tick(tx, now: now) }
    }

    mutating func advance(_ seconds: TimeInterval) { now = now.addingTimeInterval(seconds) }

    func ticket(_ ref: String) async throws -> Ticket {
        try #require(try await store.ticket(ref: ref)?.ticket)
    }

    func events(_ ref: String) async throws -> [TicketEvent] {
        try await store.ticket(ref: ref)?.events ?? []
    }

    func staffPhone(_ staffID: String) -> String { phone(staffID) }

    func outbox(to address: String) async throws -> [String] {
        try await store.outbound(status: nil).filter { $0.to == address }.map(\.text)
    }

    func phone(_ staffID: String) -> String { roster.member(id: staffID)!.address }
}

@Suite("Desk: the first-ask path")
struct DeskTests {
    let resident = "+8613911110001"

    @Test("a resident's problem opens a ticket owned by the on-duty service-centre staff, handled by the routed department")
    func opensAccountableTicket() async throws {
        var desk = try await DeskHarness()
        let result = try await desk.receive("3栋2单元501厨房水管漏水，麻烦尽快来看看", from: resident)
        #expect(result.ticketsOpened == 1)

        let ticket = try #require(try await desk.store.ticket(ref: "T0001")?.ticket)
        #expect(ticket.category == .plumbing)
        #expect(ticket.department == .engineering)
        #expect(ticket.firstResponder == "wang_fang")  // service centre, 08:00–20:00
        #expect(ticket.handler == "zhang_wei")  // engineering, 08:00–20:00
        #expect(ticket.location == Location(building: "3", unit: "2", room: "501"))
        #expect(ticket.promisedReplyAt == DeskHarness.day.addingTimeInterval(4 * 3600))
        #expect(ticket.text == "3栋2单元501厨房水管漏水，麻烦尽快来看看")

        let ack = try await desk.outbox(to: resident)
        #expect(ack.count == 1)
        #expect(ack[0].contains("T0001"))
        #expect(ack[0].contains("王芳"))  // names the first responder
        #expect(ack[0].contains("14:00"))  // and when the resident will hear back
        #expect(try await desk.outbox(to: desk.phone("wang_fang")).first?.contains("首问") == true)
        #expect(try await desk.outbox(to: desk.phone("zhang_wei")).first?.contains("T0001") == true)

        let events = try #require(try await desk.store.ticket(ref: "T0001")?.events)
        #expect(events.map(\.kind) == [.opened, .assigned])
    }

    @Test("at night the night shift answers, across midnight")
    func nightShift() async throws {
        let night = ISO8601DateFormatter().date(from: "2026-12-01T17:30:00Z")!  // 01:30 in Shanghai
        var desk = try await DeskHarness(now: night)
        _ = try await desk.receive("电梯坏了，2号楼", from: resident)
        let ticket = try #require(try await desk.store.ticket(ref: "T0001")?.ticket)
        #expect(ticket.firstResponder == "liu_yang")
        #expect(ticket.handler == "li_qiang")
    }

    @Test("an English message gets an English acknowledgement; traditional Chinese gets traditional")
    func repliesInResidentsScript() async throws {
        var desk = try await DeskHarness()
        _ = try await desk.receive("The lift in Block 2 is making a grinding noise, Flat 1203", from: "+447700900123")
        _ = try await desk.receive("A座15樓7室門口走廊的燈壞咗，好黑", from: "+85291234567")
        let english = try #require(try await desk.outbox(to: "+447700900123").first)
        #expect(english.hasPrefix("Hello, we have logged"))
        #expect(english.contains("T0001"))
        let traditional = try #require(try await desk.outbox(to: "+85291234567").first)
        #expect(traditional.contains("登記為工單T0002"))
    }

    @Test("the handler's reply reaches the resident verbatim and the first responder hears of it")
    func staffReplyIsRelayed() async throws {
        var desk = try await DeskHarness()
        _ = try await desk.receive("3栋2单元501厨房漏水", from: resident)
        let handler = desk.phone("zhang_wei")
        _ = try await desk.receive("接单 T0001", from: handler)
        _ = try await desk.receive("T0001 回复 师傅10分钟后上门，请家里留人", from: handler)
        _ = try await desk.receive("完成 T0001 已更换水管接头", from: handler)

        let toResident = try await desk.outbox(to: resident)
        #expect(toResident.count == 4)
        #expect(toResident[2] == "【工单T0001】张伟：师傅10分钟后上门，请家里留人")
        #expect(toResident[3].contains("已处理完成"))
        #expect(toResident[3].contains("打分1-5"))
        let toFirstResponder = try await desk.outbox(to: desk.phone("wang_fang"))
        #expect(toFirstResponder.count == 4)  // the assignment, then accept, reply and done
        let ticket = try #require(try await desk.store.ticket(ref: "T0001"))
        #expect(ticket.ticket.status == .resolved)
        #expect(ticket.ticket.firstResponseAt == DeskHarness.day)
        #expect(ticket.events.map(\.kind) == [.opened, .assigned, .accepted, .staffReply, .resolved])
    }

    @Test("staff who are not on a ticket are refused, and the refusal is on the timeline")
    func outsiderIsRefused() async throws {
        var desk = try await DeskHarness()
        _ = try await desk.receive("3栋2单元501厨房漏水", from: resident)
        let guardPhone = desk.phone("wu_hao")
        _ = try await desk.receive("完成 T0001", from: guardPhone)
        #expect(try await desk.outbox(to: guardPhone).last?.contains("不能操作") == true)
        let ticket = try #require(try await desk.store.ticket(ref: "T0001"))
        #expect(ticket.ticket.status == .open)
        #expect(ticket.events.last?.text.hasPrefix("refused done") == true)
    }

    @Test("an unknown staff command gets help, never silence")
    func unknownCommandGetsHelp() async throws {
        var desk = try await DeskHarness()
        let phone = desk.phone("zhang_wei")
        _ = try await desk.receive("你好", from: phone)
        _ = try await desk.receive("完成 T0042", from: phone)
        let replies = try await desk.outbox(to: phone)
        #expect(replies.count == 2)
        #expect(replies[0].contains("指令"))
        #expect(replies[1].contains("没有工单T0042"))
    }

    @Test("a resident naming their own open ticket adds to it; naming another's learns nothing")
    func followUpsAndPrivacy() async throws {
        var desk = try await DeskHarness()
        _ = try await desk.receive("3栋2单元501厨房漏水", from: resident)
        _ = try await desk.receive("T0001 补充一下，卫生间也在渗水", from: resident)
        #expect(try await desk.store.tickets(.all).count == 1)
        let events = try #require(try await desk.store.ticket(ref: "T0001")?.events)
        #expect(events.last?.kind == .residentMessage)

        let stranger = "+8613900009999"
        _ = try await desk.receive("T0001 进展怎么样", from: stranger)
        let reply = try #require(try await desk.outbox(to: stranger).first)
        #expect(reply.contains("没有找到工单T0001"))
        #expect(!reply.contains("漏水"))
        #expect(try await desk.store.ticket(ref: "T0001")?.events.count == events.count)
    }

    @Test("with nobody on duty the head takes the ticket")
    func fallsBackToHead() async throws {
        var desk = try await DeskHarness()
        var roster = desk.roster
        roster.shifts.removeAll { $0.department == .engineering }
        try await desk.store.replaceRoster(roster)
        _ = try await desk.receive("3栋2单元501厨房漏水", from: resident)
        #expect(try await desk.store.ticket(ref: "T0001")?.ticket.handler == "zhao_gang")
    }

    @Test("assignment balances open tickets among the staff on duty")
    func balancesLoad() async throws {
        var desk = try await DeskHarness()
        var roster = desk.roster
        roster.shifts.append(Shift(staffID: "li_qiang", department: .engineering, start: 8 * 60, end: 20 * 60))
        try await desk.store.replaceRoster(roster)
        _ = try await desk.receive("3栋2单元501厨房漏水", from: resident)
        _ = try await desk.receive("5栋1单元302卫生间漏水", from: "+8613900000002")
        let handlers = try await desk.store.tickets(.all).map(\.handler)
        #expect(Set(handlers) == ["zhang_wei", "li_qiang"])
    }
}

@Suite("Roster")
struct RosterTests {
    let zone = TimeZone(identifier: "Asia/Shanghai")!

    func at(_ local: String) -> Date {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = zone
        return formatter.date(from: local)!
    }

    @Test("a shift crossing midnight covers the evening and the next morning, on the days it starts")
    func crossesMidnight() {
        let night = Staff(id: "n", name: "N", address: "1", department: .security)
        // Starts Mondays (2) only.
        let roster = Roster(timeZone: zone, staff: [night], shifts: [Shift(staffID: "n", department: .security, start: 22 * 60, end: 6 * 60, days: [2])])
        #expect(roster.onDuty(.security, at: at("2026-11-30T23:00:00+08:00")).map(\.id) == ["n"])  // Monday night
        #expect(roster.onDuty(.security, at: at("2026-12-01T05:59:00+08:00")).map(\.id) == ["n"])  // Tuesday morning
        #expect(roster.onDuty(.security, at: at("2026-12-01T06:00:00+08:00")).isEmpty)
        #expect(roster.onDuty(.security, at: at("2026-12-01T23:00:00+08:00")).isEmpty)  // Tuesday night: not its day
        #expect(roster.onDuty(.engineering, at: at("2026-11-30T23:00:00+08:00")).isEmpty)
    }

    @Test("staff are recognised by number however it is written")
    func recognisesNumbers() {
        let roster = Roster(timeZone: zone, staff: [Staff(id: "a", name: "A", address: "+86 138-0000-0001", department: .service)], shifts: [])
        #expect(roster.member(address: "+8613800000001")?.id == "a")
        #expect(roster.member(address: "+8613800000002") == nil)
    }

    @Test("the shipped roster has someone on duty in every front-line department around the clock")
    func shippedRosterCoversTheDay() throws {
        let roster = try RosterFile.load(path: RepositoryFiles.roster)
        let start = at("2026-12-01T00:00:00+08:00")
        for quarter in 0..<(7 * 24 * 4) {
            let instant = start.addingTimeInterval(Double(quarter) * 900)
            for department in [Department.service, .engineering, .fireControl, .security] {
                #expect(!roster.onDuty(department, at: instant).isEmpty, "nobody in \(department) at \(instant)")
            }
        }
    }

    @Test("roster errors name the file and key")
    func rosterErrors() {
        #expect { try RosterFile.parse("staff:\n  - {id: a, name: A, phone: '1', department: kitchen}\n", file: "r.yaml") } throws: {
            // The file, line and column, then the key; never the value it holds.
            "\($0)".hasPrefix("r.yaml:2:") && "\($0)".contains(": key 'staff[0].department' must be one of")
                && !"\($0)".contains("kitchen")
        }
        #expect { try RosterFile.parse("staff: []\nshifts:\n  - {staff: ghost, from: '08:00', to: '20:00'}\n", file: "r.yaml") } throws: {
            "\($0)".contains("key 'shifts[0].staff' names no staff member")
        }
        #expect { try RosterFile.parse("staff:\n  - {id: a, name: A, phone: '1', department: service}\nshifts:\n  - {staff: a, from: '8am', to: '20:00'}\n", file: "r.yaml") } throws: {
            "\($0)".contains("key 'shifts[0].from' must be a time of day")
        }
    }
}

@Suite("Staff command grammar")
struct StaffCommandTests {
    let words = CommandWords([.accept: ["接单", "accept"], .reply: ["回复", "reply"], .done: ["完成", "done"]])

    @Test("verb-first, ref-first, glued and bare-ref forms all parse", arguments: [
        ("接单 T0001", StaffCommand(verb: .accept, ref: "T0001", text: "")),
        ("t1 accept", StaffCommand(verb: .accept, ref: "T0001", text: "")),
        ("接单T0012", StaffCommand(verb: .accept, ref: "T0012", text: "")),
        ("T0001 回复 您好，明天上午来修", StaffCommand(verb: .reply, ref: "T0001", text: "您好，明天上午来修")),
        ("T0001：明天上午来修", StaffCommand(verb: .reply, ref: "T0001", text: "明天上午来修")),
        ("DONE t0007 replaced the fuse", StaffCommand(verb: .done, ref: "T0007", text: "replaced the fuse")),
        ("完成　Ｔ０００３", StaffCommand(verb: .done, ref: "T0003", text: "")),
    ])
    func parses(input: String, expected: StaffCommand) {
        #expect(words.parse(input) == expected)
    }

    @Test("text that is no command is not guessed at", arguments: ["你好", "T0001", "Tower 2 broken"])
    func rejects(input: String) {
        #expect(words.parse(input) == nil)
    }

    @Test("a ticket command without its ref is recognised, so the sender gets that command's usage", arguments: [
        ("接单", StaffCommand(verb: .accept, ref: nil, text: "")),
        ("reply please", StaffCommand(verb: .reply, ref: nil, text: "please")),
    ])
    func missingRef(input: String, expected: StaffCommand) {
        #expect(words.parse(input) == expected)
    }

    @Test("refs are found inside residents' sentences")
    func findsRefs() {
        #expect(CommandWords.mentionedRefs(in: "我的T0003怎么样了") == ["T0003"])
        #expect(CommandWords.mentionedRefs(in: "ticket t12 please") == ["T0012"])
        #expect(CommandWords.mentionedRefs(in: "Tower 2, Flat 5") == [])
    }
}

@Suite("Templates and prompts")
struct TemplateTests {
    @Test("the shipped prompts load with every template in every locale")
    func shippedPromptsComplete() throws {
        let prompts = try Prompts.load(folder: RepositoryFiles.prompts)
        #expect(prompts.templates.missingKeys().isEmpty)
    }

    @Test("placeholders are filled; unknown ones stay visible")
    func renders() {
        let templates = Templates([.en: ["greet": "Hello {name}, ticket {ref} {unknown}"]])
        #expect(templates.render("greet", .zhHans, ["name": "Li", "ref": "T0001"]) == "Hello Li, ticket T0001 {unknown}")
    }
}
