import FirstaskApp
import FirstaskClassifier
import FirstaskDesk
import FirstaskTesting
import Foundation
import Testing

/// The pure clocks: deadlines, escalation ladder, quiet hours, promise times.
@Suite("Desk clocks (pure)")
struct DeskClockTests {
    let opened = DeskHarness.day
    let policy = DeskPolicy()

    func ticket(severity: Severity = .general) -> Ticket {
        var ticket = Ticket(ref: "T0001", intent: .repair, category: .plumbing, department: .engineering, severity: severity,
                            location: nil, resident: "+8613900000000", channel: "sms", locale: .zhHans, text: "漏水",
                            firstResponder: "wang_fang", handler: "zhang_wei", rulesVersion: "test", createdAt: opened)
        for deadline in Deadline.allCases { SlaClock.restart(deadline, on: &ticket, policy: policy, now: opened) }
        return ticket
    }

    @Test("a missed deadline climbs one step per escalation interval: remind, head, leadership, then stops")
    func ladder() {
        var ticket = ticket()
        #expect(SlaClock.nextCheck(ticket, policy: policy) == opened.addingTimeInterval(30 * 60))
        #expect(SlaClock.dueSteps(ticket, policy: policy, now: opened.addingTimeInterval(29 * 60)).isEmpty)
        let first = SlaClock.dueSteps(ticket, policy: policy, now: opened.addingTimeInterval(30 * 60))
        #expect(first.map(\.level) == [1])
        #expect(first.map(\.deadline) == [.firstResponse])
        ticket.escalations[.firstResponse] = 1
        #expect(SlaClock.nextCheck(ticket, policy: policy) == opened.addingTimeInterval(30 * 60 + 2 * 3600))
        // A timer that was down for long catches up on every step in order, never beyond the top.
        let late = SlaClock.dueSteps(ticket, policy: policy, now: opened.addingTimeInterval(30 * 3600))
        #expect(late.filter { $0.deadline == .firstResponse }.map(\.level) == [2, 3])
        ticket.escalations[.firstResponse] = 3
        ticket.escalations[.reply] = 3
        ticket.escalations[.resolution] = 3
        #expect(SlaClock.nextCheck(ticket, policy: policy) == nil)
    }

    @Test("meeting a deadline stops its clock; a reply after the promise was made keeps it")
    func metDeadlines() {
        var ticket = ticket()
        ticket.firstResponseAt = opened.addingTimeInterval(60)
        #expect(SlaClock.running(ticket).map(\.deadline) == [.reply, .resolution])
        ticket.lastReplyAt = opened.addingTimeInterval(120)
        #expect(SlaClock.running(ticket).map(\.deadline) == [.resolution])
        // A new promise restarts the reply clock: the old reply no longer counts.
        SlaClock.restart(.reply, on: &ticket, policy: policy, now: opened.addingTimeInterval(600))
        #expect(SlaClock.running(ticket).map(\.deadline) == [.reply, .resolution])
        ticket.lifecycle = TicketLifecycle(.resolved)
        ticket.resolvedAt = opened.addingTimeInterval(3600)
        #expect(SlaClock.running(ticket).isEmpty)
        #expect(SlaClock.nextCheck(ticket, policy: policy) == opened.addingTimeInterval(3600 + 48 * 3600))
    }

    @Test("emergencies run on minutes; category deadlines replace the severity's")
    func perSeverityAndCategory() {
        #expect(ticket(severity: .emergency).firstResponseDueAt == opened.addingTimeInterval(5 * 60))
        var custom = DeskPolicy()
        custom.categoryDeadlines[.fees] = [.general: .init(firstResponse: 3600, reply: 8 * 3600, resolution: 7 * 86_400)]
        #expect(custom.deadlines(for: .general, category: .fees).resolution == 7 * 86_400)
        #expect(custom.deadlines(for: .general, category: .plumbing).resolution == 72 * 3600)
    }

    @Test("quiet hours hold a text until they end, across midnight; outside them it goes at once")
    func quietHours() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let quiet = QuietHours(start: 22 * 60, end: 7 * 60 + 30)
        func local(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }
        #expect(quiet.release(local("2026-12-01T23:30:00+08:00"), calendar: calendar) == local("2026-12-02T07:30:00+08:00"))
        #expect(quiet.release(local("2026-12-02T03:00:00+08:00"), calendar: calendar) == local("2026-12-02T07:30:00+08:00"))
        #expect(quiet.release(local("2026-12-02T12:00:00+08:00"), calendar: calendar) == local("2026-12-02T12:00:00+08:00"))
    }

    @Test("promise times: clock times (tomorrow when past), durations, tomorrow", arguments: [
        ("18:00", "2026-12-01T18:00:00+08:00"), ("18点", "2026-12-01T18:00:00+08:00"), ("9:30", "2026-12-02T09:30:00+08:00"),
        ("2h", "2026-12-01T12:00:00+08:00"), ("30分钟", "2026-12-01T10:30:00+08:00"),
        ("明天 10:00", "2026-12-02T10:00:00+08:00"), ("tomorrow 8:15", "2026-12-02T08:15:00+08:00"),
    ])
    func promiseTimes(input: String, expected: String) throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let parsed = try #require(PromiseTime.parse(input + " 师傅在路上", now: DeskHarness.day, calendar: calendar))
        #expect(parsed.0 == ISO8601DateFormatter().date(from: expected))
        #expect(parsed.rest == "师傅在路上")
    }

    @Test("not a time is not guessed at", arguments: ["soon", "25:00", "", "3栋"])
    func badPromiseTimes(input: String) {
        #expect(PromiseTime.parse(input, now: DeskHarness.day, calendar: Calendar(identifier: .gregorian)) == nil)
    }

    @Test("residents' confirmation answers", arguments: [
        ("解决了，谢谢", ResidentWords.Confirmation.solved(rating: nil)), ("修好了 5分", .solved(rating: 5)),
        ("没解决", .unsolved), ("還沒好", .unsolved), ("not solved, still dripping", .unsolved),
        ("4", .rating(4)), ("★★★", .rating(3)), ("solved 5", .solved(rating: 5)),
    ])
    func confirmations(input: String, expected: ResidentWords.Confirmation) throws {
        let words = try Prompts.load(folder: RepositoryFiles.prompts).commands.resident
        #expect(words.confirmation(input) == expected)
    }
}

/// The desk's flows through the in-memory store with a hand-moved clock.
@Suite("Desk flows")
struct DeskFlowTests {
    let resident = "+8613911110001"
    let neighbour = "+8613911110002"

    @Test("done → the resident confirms with a rating: closed, rating and opinion kept, owners told")
    func confirmAndRate() async throws {
        var desk = try await DeskHarness()
        _ = try await desk.receive("3栋2单元501厨房漏水", from: resident)
        _ = try await desk.receive("完成 T0001 换了阀门", from: desk.phone("zhang_wei"))
        #expect(try await desk.ticket("T0001").awaiting == .confirmation)
        _ = try await desk.receive("修好了，5分", from: resident)
        let ticket = try await desk.ticket("T0001")
        #expect(ticket.status == .closed)
        #expect(ticket.closeReason == .confirmed)
        #expect(ticket.satisfaction == 5)
        #expect(ticket.opinion == "修好了，5分")
        #expect(try await desk.outbox(to: resident).last?.contains("已办结") == true)
        #expect(try await desk.outbox(to: desk.phone("zhang_wei")).last?.contains("评分5") == true)
    }

    @Test("'not solved' reopens the ticket with fresh deadlines and tells first responder and handler")
    func notSolvedReopens() async throws {
        var desk = try await DeskHarness()
        _ = try await desk.receive("3栋2单元501厨房漏水", from: resident)
        _ = try await desk.receive("完成 T0001", from: desk.phone("zhang_wei"))
        desk.advance(3600)
        _ = try await desk.receive("还是在漏，没解决", from: resident)
        let ticket = try await desk.ticket("T0001")
        #expect(ticket.status == .accepted)
        #expect(ticket.reopenCount == 1)
        #expect(ticket.flags.contains(.reopened))
        #expect(ticket.resolutionDueAt == desk.now.addingTimeInterval(72 * 3600))
        #expect(try await desk.outbox(to: desk.phone("wang_fang")).last?.contains("【重开】") == true)
        #expect(try await desk.outbox(to: desk.phone("zhang_wei")).last?.contains("【重开】") == true)
    }

    @Test("no answer within the confirmation window closes the ticket unconfirmed, for the callback list")
    func unconfirmedCloses() async throws {
        var desk = try await DeskHarness()
        _ = try await desk.receive("3栋2单元501厨房漏水", from: resident)
        _ = try await desk.receive("完成 T0001", from: desk.phone("zhang_wei"))
        desk.advance(47 * 3600)
        #expect(try await desk.tick().closedUnconfirmed == 0)
        desk.advance(3600)
        #expect(try await desk.tick().closedUnconfirmed == 1)
        let ticket = try await desk.ticket("T0001")
        #expect(ticket.status == .closed && ticket.closeReason == .unconfirmed && ticket.flags.contains(.unconfirmed))
    }

    @Test("an untouched ticket reminds handler and first responder, then the head, then leadership")
    func escalationLadder() async throws {
        var desk = try await DeskHarness()
        _ = try await desk.receive("3栋2单元501厨房漏水", from: resident)
        let head = desk.phone("zhao_gang"), leader = desk.phone("lin_guo")
        desk.advance(30 * 60)
        _ = try await desk.tick()
        #expect(try await desk.outbox(to: desk.phone("zhang_wei")).last?.contains("【提醒】") == true)
        #expect(try await desk.outbox(to: desk.phone("wang_fang")).last?.contains("【提醒】") == true)
        #expect(try await desk.outbox(to: head).isEmpty)
        desk.advance(2 * 3600)
        _ = try await desk.tick()
        #expect(try await desk.outbox(to: head).last?.contains("【超时】") == true)
        #expect(try await desk.outbox(to: leader).isEmpty)
        desk.advance(2 * 3600)
        _ = try await desk.tick()
        #expect(try await desk.outbox(to: leader).contains { $0.contains("【超时·呈报领导】") })
        // Ticking again changes nothing: each step is taken once.
        let before = try await desk.store.outbound(status: nil).count
        _ = try await desk.tick()
        #expect(try await desk.store.outbound(status: nil).count == before)
        #expect(try await desk.ticket("T0001").escalation == 3)
    }

    @Test("a transfer keeps the first responder, tells the resident why, and gives the new handler the resident's words")
    func transfer() async throws {
        var desk = try await DeskHarness()
        _ = try await desk.receive("3栋2单元501门口有人乱停车堵住了", from: resident)
        let before = try await desk.ticket("T0001")
        let handler = try #require(desk.roster.member(id: before.handler))
        _ = try await desk.receive("转 T0001 工程 是地锁坏了", from: handler.address)
        let after = try await desk.ticket("T0001")
        #expect(after.firstResponder == before.firstResponder)
        #expect(after.department == .engineering && after.handler == "zhang_wei")
        #expect(after.transferCount == 1)
        #expect(try await desk.outbox(to: resident).last?.contains("是地锁坏了") == true)
        let toNew = try #require(try await desk.outbox(to: desk.phone("zhang_wei")).last)
        #expect(toNew.contains("【转派给你】") && toNew.contains("3栋2单元501门口有人乱停车堵住了"))
    }

    @Test("handing a ticket back to a department that had it is flagged as buck-passing and the heads are told")
    func buckPassing() async throws {
        var desk = try await DeskHarness()
        _ = try await desk.receive("3栋2单元501厨房漏水", from: resident)
        _ = try await desk.receive("转 T0001 保安 不是我们的事", from: desk.phone("zhang_wei"))
        _ = try await desk.receive("转 T0001 工程 还是工程的", from: desk.phone("wu_hao"))
        let ticket = try await desk.ticket("T0001")
        #expect(ticket.flags.contains(.buckPassing))
        #expect(ticket.departments == [.engineering, .security, .engineering])
        #expect(try await desk.outbox(to: desk.phone("zhao_gang")).contains { $0.contains("【推诿预警】") })
        #expect(try await desk.outbox(to: desk.phone("ma_lin")).contains { $0.contains("【推诿预警】") })
    }

    @Test("a conduct complaint naming a staff member goes to a head; that person is never told and may not act")
    func conductComplaint() async throws {
        var desk = try await DeskHarness()
        _ = try await desk.receive("客服王芳态度太差了，还挂我电话", from: resident)
        let ticket = try await desk.ticket("T0001")
        #expect(ticket.category == .staffConduct)
        #expect(ticket.conductSubject == "wang_fang")
        #expect(ticket.firstResponder != "wang_fang" && ticket.handler != "wang_fang")
        #expect(try await desk.outbox(to: desk.phone("wang_fang")).isEmpty)
        _ = try await desk.receive("完成 T0001", from: desk.phone("wang_fang"))
        #expect(try await desk.outbox(to: desk.phone("wang_fang")).last?.contains("不能操作") == true)
        #expect(try await desk.ticket("T0001").status == .open)
    }

    @Test("the same problem at the same place from neighbours links to the open ticket; the second repeat makes it major")
    func repeats() async throws {
        var desk = try await DeskHarness()
        _ = try await desk.receive("5栋1单元的电梯坏了，一直停在3楼", from: resident)
        let first = try await desk.ticket("T0001")
        _ = try await desk.receive("5栋1单元电梯又坏了", from: neighbour)
        _ = try await desk.receive("5栋1单元电梯坏了没人管吗", from: "+8613911110003")
        let ticket = try await desk.ticket("T0001")
        #expect(try await desk.store.tickets(.all).count == 1, "no duplicate tickets (location \(String(describing: first.location)))")
        #expect(ticket.repeatCount == 2)
        #expect(ticket.severity == .major)
        #expect(ticket.coReporters.map(\.address) == [neighbour, "+8613911110003"])
        #expect(try await desk.outbox(to: desk.phone("lin_guo")).contains { $0.contains("【重大投诉】") })
        #expect(try await desk.outbox(to: neighbour).last?.contains("T0001") == true)
    }

    @Test("a repair without a location asks once; the answer completes the ticket")
    func asksForLocation() async throws {
        var desk = try await DeskHarness()
        _ = try await desk.receive("厨房水管漏水了", from: resident)
        #expect(try await desk.ticket("T0001").awaiting == .location)
        #expect(try await desk.outbox(to: resident).last?.contains("楼栋和房号") == true)
        _ = try await desk.receive("3栋2单元501", from: resident)
        let ticket = try await desk.ticket("T0001")
        #expect(ticket.location == Location(building: "3", unit: "2", room: "501"))
        #expect(ticket.awaiting == nil)
        #expect(try await desk.store.tickets(.all).count == 1)
    }

    @Test("two open tickets and a vague message: asked which; the answer files the waiting message there")
    func asksWhich() async throws {
        var desk = try await DeskHarness()
        _ = try await desk.receive("3栋2单元501厨房漏水", from: resident)
        _ = try await desk.receive("3栋2单元501门口的灯坏了", from: resident)
        _ = try await desk.receive("怎么样了，还没人来", from: resident)
        #expect(try await desk.outbox(to: resident).last?.contains("哪一张") == true)
        _ = try await desk.receive("T0002", from: resident)
        #expect(try await desk.events("T0002").contains { $0.kind == .residentMessage && $0.text == "怎么样了，还没人来" })
        #expect(try await desk.store.tickets(.all).count == 2)
    }

    @Test("a status query lists only the resident's own open tickets")
    func statusQuery() async throws {
        var desk = try await DeskHarness()
        _ = try await desk.receive("3栋2单元501厨房漏水", from: resident)
        _ = try await desk.receive("6栋楼道的灯坏了", from: neighbour)
        _ = try await desk.receive("查询", from: resident)
        let reply = try #require(try await desk.outbox(to: resident).last)
        #expect(reply.contains("T0001") && !reply.contains("T0002"))
    }

    @Test("quiet hours hold staff updates to residents, never the answer to what they just sent, never an emergency")
    func quietHoursHoldResidentTexts() async throws {
        var policy = DeskPolicy()
        policy.quietHours = QuietHours(start: 22 * 60, end: 7 * 60 + 30)
        let night = ISO8601DateFormatter().date(from: "2026-12-01T23:00:00+08:00")!
        var desk = try await DeskHarness(now: night, policy: policy)
        _ = try await desk.receive("3栋2单元501客厅的灯不亮了", from: resident)
        let handler = try await desk.ticket("T0001").handler
        _ = try await desk.receive("T0001 明早8点电工上门", from: desk.phone(handler))
        _ = try await desk.receive("5栋2单元302厨房着火了，好大的烟", from: neighbour)
        _ = try await desk.receive("接单 T0002", from: desk.phone(try await desk.ticket("T0002").handler))
        let rows = try await desk.store.outbound(status: nil)
        let morning = ISO8601DateFormatter().date(from: "2026-12-02T07:30:00+08:00")!
        let toResident = rows.filter { $0.to == resident }
        #expect(toResident.map(\.nextAttemptAt) == [night, morning])  // the acknowledgement now, the staff reply at 07:30
        #expect(rows.filter { $0.to == neighbour }.allSatisfy { $0.nextAttemptAt == night })
        #expect(rows.filter { $0.to != resident && $0.to != neighbour }.allSatisfy { $0.nextAttemptAt == night })
    }

    @Test("an emergency pages the department's duty team and the control room; fire also sends the security patrol")
    func emergencyPaging() async throws {
        var desk = try await DeskHarness()
        _ = try await desk.receive("5栋2单元302厨房着火了，好大的烟", from: resident)
        let ticket = try await desk.ticket("T0001")
        #expect(ticket.severity == .emergency)
        #expect(try await desk.outbox(to: desk.phone("sun_li")).contains { $0.contains("T0001") })
        #expect(try await desk.outbox(to: desk.phone("wu_hao")).contains { $0.contains("【现场核查】") })
        _ = try await desk.receive("备注 T0001 已到现场，厨房油锅起火已扑灭", from: desk.phone("wu_hao"))
        #expect(try await desk.events("T0001").contains { $0.actor == "wu_hao" && $0.kind == .note })
    }

    @Test("an abnormal patrol opens a ticket with the patroller as first responder; a normal one is only logged")
    func patrol() async throws {
        var desk = try await DeskHarness()
        _ = try await desk.receive("巡查 水泵房 正常", from: desk.phone("wu_hao"))
        #expect(try await desk.store.tickets(.all).isEmpty)
        _ = try await desk.receive("巡查 水泵房 地面有积水，水管在漏", from: desk.phone("wu_hao"))
        let ticket = try await desk.ticket("T0001")
        #expect(ticket.source == .patrol && ticket.firstResponder == "wu_hao")
        #expect(ticket.department == .engineering)
        let log = try await desk.store.dutyLog(from: .distantPast, to: .distantFuture)
        #expect(log.map(\.abnormal) == [false, true])
        #expect(log.last?.ticketRef == "T0001")
    }

    @Test("with check-in required, a shift nobody checked into alerts the head once and routes around the absentee")
    func missedCheckIn() async throws {
        var policy = DeskPolicy()
        policy.checkInRequired = true
        let shiftStart = ISO8601DateFormatter().date(from: "2026-12-01T08:00:00+08:00")!
        var desk = try await DeskHarness(now: shiftStart.addingTimeInterval(-30 * 60), policy: policy)
        _ = try await desk.receive("上班", from: desk.phone("wang_fang"))
        desk.now = shiftStart.addingTimeInterval(20 * 60)
        _ = try await desk.tick()
        _ = try await desk.tick()
        let alerts = try await desk.outbox(to: desk.phone("zhao_gang")).filter { $0.contains("【未签到】") }
        #expect(alerts.count == 1 && alerts[0].contains("张伟"))
        _ = try await desk.receive("3栋2单元501厨房漏水", from: resident)
        #expect(try await desk.ticket("T0001").handler == "zhao_gang")  // the head covers until 张伟 checks in
        _ = try await desk.receive("上班", from: desk.phone("zhang_wei"))
        _ = try await desk.receive("3栋2单元502厨房漏水", from: neighbour)
        #expect(try await desk.ticket("T0002").handler == "zhang_wei")
    }

    @Test("staff commands without a ticket: mine, duty, handover notes shown at the next check-in")
    func shiftCommands() async throws {
        var desk = try await DeskHarness()
        _ = try await desk.receive("3栋2单元501厨房漏水", from: resident)
        _ = try await desk.receive("我的", from: desk.phone("zhang_wei"))
        #expect(try await desk.outbox(to: desk.phone("zhang_wei")).last?.contains("T0001") == true)
        _ = try await desk.receive("duty", from: desk.phone("zhang_wei"))
        #expect(try await desk.outbox(to: desk.phone("zhang_wei")).last?.contains("张伟") == true)
        _ = try await desk.receive("交班 T0001 等配件，明早到", from: desk.phone("zhang_wei"))
        _ = try await desk.receive("上班", from: desk.phone("li_qiang"))
        #expect(try await desk.outbox(to: desk.phone("li_qiang")).last?.contains("等配件") == true)
    }

    @Test("a written complaint goes to leadership and cannot be closed before its written reply is recorded")
    func writtenComplaint() async throws {
        let desk = try await DeskHarness()
        let complaint = WrittenComplaint(register: "SM-2026-031", text: "物业费上涨不合理，要求公示账目", resident: resident, channel: "sms")
        let engine = desk.desk
        let now = desk.now
        let ticket = try await desk.store.write { tx in try engine.registerWritten(complaint, tx, now: now) }
        #expect(ticket.source == .written && ticket.register == "SM-2026-031")
        #expect(try await desk.outbox(to: desk.phone("lin_guo")).contains { $0.contains("SM-2026-031") })
        await #expect(throws: DeskError.duplicateRegister("SM-2026-031")) {
            try await desk.store.write { tx in try engine.registerWritten(complaint, tx, now: now) }
        }
        var copy = desk
        _ = try await copy.receive("完成 \(ticket.ref)", from: desk.phone(ticket.handler))
        #expect(try await desk.ticket(ticket.ref).status != .resolved)
        _ = try await desk.store.write { tx in try engine.recordWrittenReply(ref: ticket.ref, text: "已书面答复", by: "huang_min", tx, now: now) }
        _ = try await copy.receive("完成 \(ticket.ref)", from: desk.phone(ticket.handler))
        #expect(try await desk.ticket(ticket.ref).status == .resolved)
    }
}

@Suite("Desk: asking clearly")
struct DeskClarifyTests {
    @Test("a problem the rules cannot place gets one question; the answer routes the ticket")
    func asksWhatTheProblemIs() async throws {
        var desk = try await DeskHarness()
        _ = try await desk.receive("那个东西又坏了", from: "+8613911110009")
        var ticket = try await desk.ticket("T0001")
        #expect(ticket.awaiting == .details)
        #expect(try await desk.outbox(to: "+8613911110009").last?.contains("具体是什么问题") == true)
        _ = try await desk.receive("是3栋2单元的电梯，停在5楼不动", from: "+8613911110009")
        ticket = try await desk.ticket("T0001")
        #expect(ticket.category == .elevator && ticket.department == .engineering)
        #expect(ticket.handler == "zhang_wei")
        #expect(ticket.awaiting == nil)
        #expect(try await desk.store.tickets(.all).count == 1)
        #expect(try await desk.outbox(to: desk.phone("zhang_wei")).last?.contains("T0001") == true)
    }
}

@Suite("Desk: follow-ups that change the picture")
struct DeskFollowUpTests {
    @Test("a follow-up that reads as an emergency raises the ticket and pages the duty team and control room")
    // (A follow-up naming a new kind of danger, e.g. sparks after a leak, opens its own emergency ticket instead.)
    func followUpRaisesSeverity() async throws {
        var desk = try await DeskHarness()
        _ = try await desk.receive("3栋2单元501厨房漏水", from: "+8613911110001")
        #expect(try await desk.ticket("T0001").severity == .general)
        _ = try await desk.receive("漏水越来越严重，水已经漫到客厅，楼下也被淹了", from: "+8613911110001")
        let ticket = try await desk.ticket("T0001")
        #expect(ticket.severity == .emergency)
        #expect(try await desk.store.tickets(.all).count == 1)
        #expect(try await desk.outbox(to: desk.phone("sun_li")).contains { $0.contains("【紧急】") && $0.contains("T0001") })
        #expect(try await desk.outbox(to: "+8613911110001").last?.contains("【紧急】") == true)
    }

    @Test("a resident threatening to call 12345 on an open ticket makes it major: head and leadership told")
    func followUpMakesMajor() async throws {
        var desk = try await DeskHarness()
        _ = try await desk.receive("3栋2单元501厨房漏水", from: "+8613911110001")
        _ = try await desk.receive("厨房漏水三天了还没人来修，再不修我就打12345投诉", from: "+8613911110001")
        #expect(try await desk.ticket("T0001").severity == .major)
        #expect(try await desk.outbox(to: desk.phone("lin_guo")).contains { $0.contains("【重大投诉】") })
    }
}
