import FirstaskApp
import FirstaskClassifier
import FirstaskDesk
import FirstaskTesting
import Foundation
import Testing

// The scripted conversation of the desk: every command and resident path, in Chinese and English, through
// the real HTTP inbox on loopback (simulated SMS inbox ⇄ libcurl ⇄ gateway with SQLite). Time is a fake
// clock starting Tuesday 2026-12-01 10:00 Shanghai, when the day shift is on:
// service 王芳 wang_fang (+ Emma Wong on weekdays), engineering 张伟 zhang_wei, control room 孙丽 sun_li,
// security 吴浩 wu_hao, environment 何霞 he_xia. Heads: 陈静 chen_jing (service), 赵刚 zhao_gang
// (engineering), 马林 ma_lin (security), 黄敏 huang_min (management); leader 林国 lin_guo.
// From 20:00 the night shift: 刘洋 liu_yang, 李强 li_qiang, 周波 zhou_bo, 郑凯 zheng_kai.

private let zhResident = "+8613911110001"
private let zhNeighbour = "+8613911110002"
private let zhThird = "+8613911110003"
private let enResident = "+447700900123"
private let enNeighbour = "+447700900124"
private let enThird = "+447700900125"
private let stranger = "+8613999990000"

private func utc(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

// MARK: - The script's expectations

extension Conversation {
    /// `who` (a staff id or phone) was told, in the last step, something containing every one of `parts`.
    @discardableResult
    func expectReply(
        to who: String, containing parts: String..., sourceLocation: SourceLocation = #_sourceLocation
    ) -> String? {
        let texts = texts(to: who)
        let hit = texts.first { text in parts.allSatisfy { text.contains($0) } }
        #expect(hit != nil, "\(who) should have been told \(parts); got \(texts)", sourceLocation: sourceLocation)
        return hit
    }

    /// `who` received nothing in the last step.
    func expectSilence(to who: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(texts(to: who).isEmpty, "\(who) should have been told nothing; got \(texts(to: who))",
                sourceLocation: sourceLocation)
    }

    /// No text `who` received in the last step contains `part`.
    func expectNoReply(to who: String, containing part: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let texts = texts(to: who).filter { $0.contains(part) }
        #expect(texts.isEmpty, "\(who) should not have been told \(part); got \(texts)", sourceLocation: sourceLocation)
    }

    func require(_ ref: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Ticket {
        try #require(try await ticket(ref), "no ticket \(ref)", sourceLocation: sourceLocation)
    }
}

// MARK: - The script itself

@Suite("Conversation: the script", .serialized)
struct ConversationScriptTests {
    @Test("a step the gateway does not finish throws, so no expectation (silence least of all) is checked against it")
    func unsettledStepThrows() async throws {
        try await Conversation.run { c in
            // The inbox refuses every poll: the message is never stored, the step cannot settle.
            c.rig.inbox.failNext(.messages, .status(503), count: 10_000)
            c.settleTimeout = .milliseconds(500)
            await #expect(throws: Conversation.NotSettled.self) {
                try await c.resident(zhResident, "3栋2单元501厨房水管漏水")
            }
        }
    }
}

// MARK: - Residents

@Suite("Conversation: residents", .serialized)
struct ConversationResidentTests {
    @Test("a new problem is acknowledged with the ref, first responder, handler and reply time; a follow-up joins its timeline (Chinese)")
    func newProblemAndFollowUpChinese() async throws {
        try await Conversation.run { c in
            try await c.resident(zhResident, "3栋2单元501厨房水管漏水")
            let ticket = try await c.require("T0001")
            #expect(ticket.category == .plumbing && ticket.department == .engineering)
            #expect(ticket.firstResponder == "wang_fang")
            #expect(ticket.handler == "zhang_wei")
            #expect(ticket.location == Location(building: "3", unit: "2", room: "501"))
            #expect(c.texts(to: zhResident).count == 1)
            c.expectReply(to: zhResident, containing: "T0001", "王芳", "张伟", "12月1日 14:00")
            c.expectReply(to: "wang_fang", containing: "【首问】", "T0001", "3栋2单元501厨房水管漏水")
            c.expectReply(to: "zhang_wei", containing: "【派单】", "T0001")

            // More about the same problem, without a ref: added to T0001, no new ticket.
            try await c.resident(zhResident, "还在滴水，地板都湿了")
            c.expectReply(to: zhResident, containing: "已补充到工单T0001")
            c.expectReply(to: "zhang_wei", containing: "T0001", "还在滴水，地板都湿了")
            c.expectReply(to: "wang_fang", containing: "T0001", "还在滴水，地板都湿了")
            // With the ref.
            try await c.resident(zhResident, "T0001 师傅什么时候来？家里下午有人")
            c.expectReply(to: zhResident, containing: "已补充到工单T0001")
            #expect(try await c.tickets().count == 1)
            let followUps = try await c.events("T0001").filter { $0.kind == .residentMessage }.map(\.text)
            #expect(followUps == ["还在滴水，地板都湿了", "T0001 师傅什么时候来？家里下午有人"])
        }
    }

    @Test("a new problem is acknowledged with the ref, first responder, handler and reply time; a follow-up joins its timeline (English)")
    func newProblemAndFollowUpEnglish() async throws {
        try await Conversation.run { c in
            try await c.resident(enResident, "The kitchen tap in Flat 1203, Block 2 is leaking")
            let ticket = try await c.require("T0001")
            #expect(ticket.locale == .en)
            #expect(ticket.location == Location(building: "2", room: "1203"))
            #expect(c.texts(to: enResident).count == 1)
            let ack = c.expectReply(to: enResident, containing: "ticket T0001", "王芳", "张伟", "1 Dec 14:00")
            #expect(ack?.hasPrefix("Hello, we have logged") == true)

            try await c.resident(enResident, "still leaking, any update?")
            c.expectReply(to: enResident, containing: "added to ticket T0001")
            c.expectReply(to: "zhang_wei", containing: "still leaking, any update?")
            try await c.resident(enResident, "About T0001: someone will be home after 3pm")
            c.expectReply(to: enResident, containing: "added to ticket T0001")
            #expect(try await c.tickets().count == 1)
            #expect(try await c.events("T0001").filter { $0.kind == .residentMessage }.count == 2)
        }
    }

    @Test("two open tickets and a vague message: the desk asks which one, and the answer attaches the waiting message (Chinese)")
    func whichOneChinese() async throws {
        try await Conversation.run { c in
            try await c.resident(zhResident, "3栋2单元501厨房水管漏水")
            try await c.resident(zhResident, "3栋电梯坏了，一直停在5楼")
            #expect(try await c.tickets().map(\.ref) == ["T0001", "T0002"])

            try await c.resident(zhResident, "还没人来吗")
            c.expectReply(to: zhResident, containing: "T0001", "T0002", "哪一张")
            c.expectSilence(to: "zhang_wei")
            #expect(try await c.events("T0001").allSatisfy { $0.kind != .residentMessage })
            #expect(try await c.events("T0002").allSatisfy { $0.kind != .residentMessage })

            try await c.resident(zhResident, "T0002")
            c.expectReply(to: zhResident, containing: "T0002")
            let attached = try await c.events("T0002").filter { $0.kind == .residentMessage }.map(\.text)
            #expect(attached == ["还没人来吗"])
            #expect(try await c.events("T0001").allSatisfy { $0.kind != .residentMessage })
            c.expectReply(to: "zhang_wei", containing: "T0002", "还没人来吗")
            #expect(try await c.tickets().count == 2)
        }
    }

    @Test("two open tickets and a vague message: the desk asks which one, and the answer attaches the waiting message (English)")
    func whichOneEnglish() async throws {
        try await Conversation.run { c in
            try await c.resident(enResident, "The kitchen tap in Flat 1203, Block 2 is leaking")
            try await c.resident(enResident, "The lift in Block 7 is not working")
            #expect(try await c.tickets().count == 2)

            try await c.resident(enResident, "any update?")
            c.expectReply(to: enResident, containing: "T0001", "T0002", "Which one")
            try await c.resident(enResident, "t1")
            c.expectReply(to: enResident, containing: "T0001")
            #expect(try await c.events("T0001").filter { $0.kind == .residentMessage }.map(\.text) == ["any update?"])
            #expect(try await c.events("T0002").allSatisfy { $0.kind != .residentMessage })
        }
    }

    @Test("repeat reports of the same place and problem link to one ticket; the second repeat makes it major and tells head and leadership (Chinese)")
    func repeatsChinese() async throws {
        try await Conversation.run { c in
            try await c.resident(zhResident, "5栋电梯坏了")
            try await c.resident(zhNeighbour, "5栋的电梯又坏了，不动了")
            c.expectReply(to: zhNeighbour, containing: "T0001", "并入")
            c.expectReply(to: "zhang_wei", containing: "T0001")
            c.expectSilence(to: "zhao_gang")
            c.expectSilence(to: "lin_guo")
            var ticket = try await c.require("T0001")
            #expect(ticket.repeatCount == 1)
            #expect(ticket.severity == .general)
            #expect(ticket.flags.contains(.repeated))

            try await c.resident(zhThird, "5栋电梯不动了")
            c.expectReply(to: zhThird, containing: "T0001")
            ticket = try await c.require("T0001")
            #expect(ticket.repeatCount == 2)
            #expect(ticket.severity == .major)
            #expect(try await c.tickets().count == 1)
            c.expectReply(to: "zhao_gang", containing: "【重大投诉】", "T0001")
            c.expectReply(to: "lin_guo", containing: "【重大投诉】", "T0001")
            #expect(try await c.events("T0001").filter { $0.kind == .repeatReport }.count == 2)

            // When it is done, everyone who reported it hears.
            try await c.staff("zhang_wei", "完成 T0001 已更换控制板")
            c.expectReply(to: zhResident, containing: "T0001", "已处理完成")
            c.expectReply(to: zhNeighbour, containing: "T0001", "已处理完成")
            c.expectReply(to: zhThird, containing: "T0001", "已处理完成")
        }
    }

    @Test("repeat reports of the same place and problem link to one ticket; the second repeat makes it major and tells head and leadership (English)")
    func repeatsEnglish() async throws {
        try await Conversation.run { c in
            try await c.resident(enResident, "The lift in Block 7 is not working")
            try await c.resident(enNeighbour, "The lift in Block 7 is broken")
            c.expectReply(to: enNeighbour, containing: "already being handled as ticket T0001")
            #expect(try await c.require("T0001").repeatCount == 1)
            try await c.resident(enThird, "Lift in block 7 broken again")
            c.expectReply(to: enThird, containing: "ticket T0001")
            let ticket = try await c.require("T0001")
            #expect(ticket.repeatCount == 2)
            #expect(ticket.severity == .major)
            #expect(ticket.coReporters.map(\.address) == [enNeighbour, enThird])
            c.expectReply(to: "zhao_gang", containing: "T0001")
            c.expectReply(to: "lin_guo", containing: "T0001")
            #expect(try await c.tickets().count == 1)
        }
    }

    @Test("a report without a place gets one question; the answer completes the ticket (Chinese and English)")
    func missingLocation() async throws {
        try await Conversation.run { c in
            try await c.resident(zhResident, "厨房水管漏水了")
            #expect(c.texts(to: zhResident).count == 1)
            c.expectReply(to: zhResident, containing: "T0001", "楼栋和房号")
            #expect(try await c.require("T0001").awaiting == .location)

            try await c.resident(zhResident, "3栋2单元501")
            c.expectReply(to: zhResident, containing: "T0001", "3-2-501")
            c.expectReply(to: "zhang_wei", containing: "T0001", "3-2-501")
            var ticket = try await c.require("T0001")
            #expect(ticket.location == Location(building: "3", unit: "2", room: "501"))
            #expect(ticket.awaiting == nil)
            #expect(try await c.tickets().count == 1)

            try await c.resident(enResident, "My kitchen tap is leaking badly")
            #expect(c.texts(to: enResident).count == 1)
            c.expectReply(to: enResident, containing: "T0002", "building and flat number")
            try await c.resident(enResident, "3-2-502")
            c.expectReply(to: enResident, containing: "noted the location 3-2-502 on ticket T0002")
            ticket = try await c.require("T0002")
            #expect(ticket.location == Location(building: "3", unit: "2", room: "502"))
            #expect(try await c.tickets().count == 2)
        }
    }

    @Test("a status query lists only the sender's own open tickets; someone else's ref reveals nothing (Chinese and English)")
    func statusAndPrivacy() async throws {
        try await Conversation.run { c in
            try await c.resident(zhResident, "3栋2单元501厨房水管漏水")
            try await c.resident(zhResident, "3栋电梯坏了，一直停在5楼")
            try await c.resident(enResident, "The corridor light outside Flat 1203, Block 2 is broken")
            #expect(try await c.tickets().count == 3)

            try await c.resident(zhResident, "查询")
            let status = try #require(c.expectReply(to: zhResident, containing: "未办结的工单", "T0001", "T0002"))
            #expect(!status.contains("T0003"))
            try await c.resident(enResident, "status")
            let english = try #require(c.expectReply(to: enResident, containing: "Your open tickets", "T0003"))
            #expect(!english.contains("T0001") && !english.contains("T0002"))
            try await c.resident(stranger, "查询")
            c.expectReply(to: stranger, containing: "没有未办结的工单")

            // Naming someone else's ticket learns nothing and changes nothing.
            let before = try await c.events("T0001")
            try await c.resident(enResident, "what about T0001?")
            let reply = try #require(c.expectReply(to: enResident, containing: "could not find ticket T0001"))
            for secret in ["王芳", "张伟", "leak", "501", "3栋"] { #expect(!reply.contains(secret)) }
            try await c.resident(zhNeighbour, "T0003 怎么样了")
            let chinese = try #require(c.expectReply(to: zhNeighbour, containing: "没有找到工单T0003"))
            for secret in ["王芳", "张伟", "1203"] { #expect(!chinese.contains(secret)) }
            c.expectSilence(to: "zhang_wei")
            c.expectSilence(to: "wang_fang")
            #expect(try await c.events("T0001") == before)
            #expect(try await c.events("T0003").allSatisfy { $0.kind != .residentMessage })
            #expect(try await c.tickets().count == 3)
        }
    }

    @Test("after done: confirming with a rating closes the ticket and stores the rating (Chinese and English)")
    func confirmWithRating() async throws {
        try await Conversation.run { c in
            try await c.resident(zhResident, "3栋2单元501厨房水管漏水")
            try await c.resident(enResident, "The corridor light outside Flat 1203, Block 2 is broken")
            try await c.staff("zhang_wei", "完成 T0001 已更换水管接头")
            c.expectReply(to: zhResident, containing: "T0001", "已处理完成", "已更换水管接头", "打分1-5")
            try await c.staff("zhang_wei", "done T0002 replaced the bulb")
            c.expectReply(to: enResident, containing: "T0002", "has been completed", "replaced the bulb", "rate us 1-5")

            try await c.resident(zhResident, "解决了，5星")
            c.expectReply(to: zhResident, containing: "T0001", "已办结")
            c.expectReply(to: "wang_fang", containing: "T0001", "评分5")
            var ticket = try await c.require("T0001")
            #expect(ticket.status == .closed)
            #expect(ticket.closeReason == .confirmed)
            #expect(ticket.satisfaction == 5)
            #expect(ticket.opinion == "解决了，5星")

            try await c.resident(enResident, "solved, 4")
            c.expectReply(to: enResident, containing: "ticket T0002 is closed")
            ticket = try await c.require("T0002")
            #expect(ticket.status == .closed)
            #expect(ticket.satisfaction == 4)
            #expect(try await c.events("T0002").last?.kind == .confirmed)
        }
    }

    @Test("after done: \"not solved\" reopens the ticket and tells the first responder and handler (Chinese and English)")
    func notSolvedReopens() async throws {
        try await Conversation.run { c in
            try await c.resident(zhResident, "3栋2单元501厨房水管漏水")
            try await c.resident(enResident, "The corridor light outside Flat 1203, Block 2 is broken")
            try await c.staff("zhang_wei", "完成 T0001 已更换水管接头")
            try await c.staff("zhang_wei", "done T0002 replaced the bulb")

            try await c.resident(zhResident, "没解决，还在漏")
            c.expectReply(to: zhResident, containing: "T0001", "重新打开")
            c.expectReply(to: "wang_fang", containing: "【重开】", "T0001", "没解决，还在漏")
            c.expectReply(to: "zhang_wei", containing: "【重开】", "T0001", "没解决，还在漏")
            var ticket = try await c.require("T0001")
            #expect(ticket.status.isOpen && ticket.status != .resolved)
            #expect(ticket.flags.contains(.reopened))
            #expect(ticket.reopenCount == 1)
            #expect(ticket.satisfaction == nil)

            try await c.resident(enResident, "not fixed, still flickering")
            c.expectReply(to: enResident, containing: "T0002", "open again")
            c.expectReply(to: "zhang_wei", containing: "T0002", "not fixed, still flickering")
            ticket = try await c.require("T0002")
            #expect(ticket.status == .accepted)
            #expect(ticket.flags.contains(.reopened))
            #expect(try await c.tickets().count == 2)
        }
    }

    @Test("after done: no answer within the confirmation window closes the ticket unconfirmed, for a callback (Chinese and English)")
    func unconfirmedCloses() async throws {
        try await Conversation.run { c in
            try await c.resident(zhResident, "3栋2单元501厨房水管漏水")
            try await c.resident(enResident, "The corridor light outside Flat 1203, Block 2 is broken")
            try await c.staff("zhang_wei", "完成 T0001 已更换水管接头")
            try await c.staff("zhang_wei", "done T0002 replaced the bulb")

            try await c.advance(by: 47 * 3600)
            #expect(try await c.require("T0001").status == .resolved)
            c.expectSilence(to: zhResident)

            try await c.advance(by: 3600 + 60)
            for ref in ["T0001", "T0002"] {
                let ticket = try await c.require(ref)
                #expect(ticket.status == .closed)
                #expect(ticket.closeReason == .unconfirmed)
                #expect(ticket.flags.contains(.unconfirmed))
                #expect(ticket.satisfaction == nil)
            }
            c.expectReply(to: zhResident, containing: "T0001", "回访")
            c.expectReply(to: enResident, containing: "T0002", "call you")
        }
    }

    @Test("praise is recorded, passed on and closed (Chinese and English)")
    func praise() async throws {
        try await Conversation.run { c in
            try await c.resident(zhResident, "感谢保洁阿姨，大堂打扫得很干净，服务很好")
            c.expectReply(to: zhResident, containing: "谢谢您的肯定", "T0001")
            c.expectReply(to: "he_xia", containing: "【表扬】", "T0001")
            var ticket = try await c.require("T0001")
            #expect(ticket.intent == .praise)
            #expect(ticket.status == .closed)
            #expect(ticket.closeReason == .acknowledged)

            try await c.resident(enResident, "Thanks to the cleaning team, the lobby looks great")
            c.expectReply(to: enResident, containing: "Thank you for your kind words", "T0002")
            ticket = try await c.require("T0002")
            #expect(ticket.status == .closed)
            #expect(ticket.closeReason == .acknowledged)
            // Praise naming a staff member reaches them.
            try await c.resident(zhNeighbour, "感谢保安吴浩昨晚帮我找到了钥匙，服务很好")
            c.expectReply(to: zhNeighbour, containing: "谢谢您的肯定", "T0003")
            c.expectReply(to: "wu_hao", containing: "【表扬】", "T0003")
            #expect(try await c.require("T0003").status == .closed)
            // Nothing to work: no clocks run on praise.
            try await c.advance(by: 5 * 3600)
            #expect(c.last.isEmpty)
        }
    }
}

// MARK: - Quiet hours

@Suite("Conversation: quiet hours", .serialized)
struct ConversationQuietHoursTests {
    /// 22:00–07:30 in Shanghai.
    static let policy = DeskPolicy(quietHours: QuietHours(start: 22 * 60, end: 7 * 60 + 30))
    /// 2026-12-01 23:00 in Shanghai.
    static let night = utc("2026-12-01T15:00:00Z")
    /// 2026-12-02 07:30 in Shanghai.
    static let release = utc("2026-12-01T23:30:00Z")

    @Test("during quiet hours a progress update to a resident waits for the end of them; staff and emergencies are not held")
    func progressWaits() async throws {
        try await Conversation.run(at: Self.night, policy: Self.policy) { c in
            try await c.resident(zhResident, "3栋2单元501厨房水管漏水")
            let ticket = try await c.require("T0001")
            #expect(ticket.firstResponder == "liu_yang")
            #expect(ticket.handler == "li_qiang")
            c.expectReply(to: "li_qiang", containing: "T0001")  // staff are told at once
            c.expectReply(to: "liu_yang", containing: "T0001")

            // The night handler's reply is a progress update the resident did not just ask for: held.
            let before = try await c.outbox(to: zhResident).count
            try await c.staff("li_qiang", "T0001 明早9点师傅上门")
            c.expectReply(to: "li_qiang", containing: "T0001")
            c.expectSilence(to: zhResident)
            let rows = try await c.outbox(to: zhResident)
            #expect(rows.count == before + 1)
            let held = try #require(rows.last { $0.text.contains("明早9点师傅上门") })
            #expect(held.status == .pending)
            #expect(held.nextAttemptAt == Self.release)

            // An emergency is never held.
            try await c.resident(enResident, "Fire! Smoke coming from Flat 1203 Block 2")
            let emergency = try await c.require("T0002")
            #expect(emergency.severity == .emergency)
            c.expectReply(to: enResident, containing: "URGENT", "T0002")
            #expect(try await c.held(to: enResident).isEmpty)
            // Nor are updates on an emergency ticket.
            try await c.staff("zhou_bo", "T0002 we are at the door now")
            c.expectReply(to: enResident, containing: "we are at the door now")

            // At 07:30 the held reply goes out.
            try await c.advance(to: Self.release)
            c.expectReply(to: zhResident, containing: "明早9点师傅上门")
            #expect(try await c.held(to: zhResident).isEmpty)
        }
    }

    @Test("during quiet hours an answer to what the resident just sent goes out at once: quiet hours hold back only what the resident did not just ask for")
    func answersAreNotHeld() async throws {
        try await Conversation.run(at: Self.night, policy: Self.policy) { c in
            try await c.resident(zhResident, "3栋2单元501厨房水管漏水")
            c.expectReply(to: zhResident, containing: "T0001")
            #expect(try await c.held(to: zhResident).isEmpty, "the acknowledgement was held for quiet hours")

            try await c.resident(zhResident, "查询")
            c.expectReply(to: zhResident, containing: "T0001")
            try await c.resident(enResident, "status")
            c.expectReply(to: enResident, containing: "no open tickets")
            #expect(try await c.held(to: enResident).isEmpty, "the status answer was held for quiet hours")
        }
    }
}

// MARK: - Staff commands

@Suite("Conversation: staff commands", .serialized)
struct ConversationStaffTests {
    @Test("accept, reply, bare reply, promise, note, escalate, done and callback (Chinese)")
    func ticketCommandsChinese() async throws {
        try await Conversation.run { c in
            try await c.resident(zhResident, "3栋2单元501厨房水管漏水")

            try await c.staff("zhang_wei", "接单 T0001")
            c.expectReply(to: zhResident, containing: "张伟", "已受理工单T0001")
            c.expectReply(to: "zhang_wei", containing: "你已受理工单T0001")
            c.expectReply(to: "wang_fang", containing: "T0001", "张伟", "已受理")
            var ticket = try await c.require("T0001")
            #expect(ticket.status == .accepted)
            #expect(ticket.firstResponseAt == Conversation.morning)

            try await c.staff("zhang_wei", "T0001 回复 师傅10分钟后上门，请家里留人")
            c.expectReply(to: zhResident, containing: "【工单T0001】张伟：师傅10分钟后上门，请家里留人")
            c.expectReply(to: "zhang_wei", containing: "已转达住户")
            c.expectReply(to: "wang_fang", containing: "师傅10分钟后上门")

            try await c.staff("zhang_wei", "T0001 明天上午来换阀门")
            c.expectReply(to: zhResident, containing: "【工单T0001】张伟：明天上午来换阀门")

            try await c.staff("zhang_wei", "承诺 T0001 18:00 等配件")
            c.expectReply(to: zhResident, containing: "T0001", "12月1日 18:00", "等配件")
            c.expectReply(to: "zhang_wei", containing: "T0001", "18:00")
            c.expectNoReply(to: "zhang_wei", containing: "承诺答复时间：")  // not the usage text
            #expect(try await c.require("T0001").promisedReplyAt == utc("2026-12-01T10:00:00Z"))

            try await c.staff("zhang_wei", "备注 T0001 已关总阀")
            c.expectReply(to: "zhang_wei", containing: "备注已记入工单T0001")
            c.expectSilence(to: zhResident)
            #expect(try await c.events("T0001").contains { $0.kind == .note && $0.text == "已关总阀" })

            try await c.staff("zhang_wei", "上报 T0001 需要更换主管道")
            c.expectReply(to: "zhao_gang", containing: "【上报】", "张伟", "T0001", "需要更换主管道")
            c.expectReply(to: "zhang_wei", containing: "工单T0001已上报")
            c.expectReply(to: "wang_fang", containing: "T0001", "已上报")
            c.expectSilence(to: "lin_guo")

            try await c.staff("zhang_wei", "完成 T0001 已更换水管接头")
            c.expectReply(to: zhResident, containing: "T0001", "已处理完成", "张伟：已更换水管接头")
            c.expectReply(to: "zhang_wei", containing: "工单T0001已标记完成")
            c.expectReply(to: "wang_fang", containing: "T0001", "已标记完成")
            ticket = try await c.require("T0001")
            #expect(ticket.status == .resolved)
            #expect(ticket.awaiting == .confirmation)

            try await c.resident(zhResident, "修好了，满意，5分")
            #expect(try await c.require("T0001").status == .closed)
            // The service centre records the callback (回访) on the closed ticket.
            try await c.staff("wang_fang", "回访 T0001 住户满意，无其他问题")
            c.expectReply(to: "wang_fang", containing: "回访结果已记入工单T0001")
            #expect(try await c.events("T0001").contains { $0.kind == .callback && $0.actor == "wang_fang" })

            let kinds = try await c.events("T0001").map(\.kind)
            for kind: TicketEvent.Kind in [.opened, .assigned, .accepted, .staffReply, .promised, .note, .escalated, .resolved, .confirmed, .callback] {
                #expect(kinds.contains(kind), "timeline lacks \(kind)")
            }
        }
    }

    @Test("accept, reply, bare reply, promise, note, escalate, done and callback (English)")
    func ticketCommandsEnglish() async throws {
        try await Conversation.run { c in
            try await c.resident(enResident, "The corridor light outside Flat 1203, Block 2 is broken")
            #expect(try await c.require("T0001").handler == "zhang_wei")

            try await c.staff("zhang_wei", "accept T0001")
            c.expectReply(to: enResident, containing: "张伟", "has taken ticket T0001")
            #expect(try await c.require("T0001").status == .accepted)

            try await c.staff("zhang_wei", "T0001 reply on our way, 10 minutes")
            c.expectReply(to: enResident, containing: "[Ticket T0001] 张伟: on our way, 10 minutes")

            try await c.staff("zhang_wei", "T1 please leave the corridor door open")
            c.expectReply(to: enResident, containing: "[Ticket T0001] 张伟: please leave the corridor door open")

            try await c.staff("zhang_wei", "promise T1 2h waiting for the electrician")
            c.expectReply(to: enResident, containing: "T0001", "1 Dec 12:00", "waiting for the electrician")
            #expect(try await c.require("T0001").promisedReplyAt == Conversation.morning.addingTimeInterval(2 * 3600))

            try await c.staff("zhang_wei", "note T0001 needs a new fitting")
            c.expectReply(to: "zhang_wei", containing: "T0001")
            c.expectSilence(to: enResident)

            try await c.staff("zhang_wei", "escalate T0001 need an outside contractor")
            c.expectReply(to: "zhao_gang", containing: "T0001", "need an outside contractor")

            try await c.staff("zhang_wei", "done T0001 replaced the fitting")
            c.expectReply(to: enResident, containing: "ticket T0001 has been completed (张伟: replaced the fitting)")

            try await c.resident(enResident, "all good, 5 stars")
            // Emma Wong (service centre, English) records the callback; she is told in English.
            try await c.staff("emma_wong", "callback T0001 resident happy with the repair")
            c.expectReply(to: "emma_wong", containing: "The callback result is recorded on ticket T0001")
            #expect(try await c.events("T0001").contains { $0.kind == .callback && $0.text == "resident happy with the repair" })
        }
    }

    @Test("every documented form of promise sets the promised reply time and tells the resident", arguments: [
        ("承诺 T0001 18:00", "2026-12-01T10:00:00Z"),
        ("承诺 T0001 18：30", "2026-12-01T10:30:00Z"),
        ("承诺 T0001 18点", "2026-12-01T10:00:00Z"),
        ("承诺 T0001 2小时", "2026-12-01T04:00:00Z"),
        ("预计 T0001 30分钟", "2026-12-01T02:30:00Z"),
        ("承诺 T0001 明天 10:00", "2026-12-02T02:00:00Z"),
        ("promise T1 2h", "2026-12-01T04:00:00Z"),
        ("promise T0001 30m", "2026-12-01T02:30:00Z"),
        ("promise T0001 18:00", "2026-12-01T10:00:00Z"),
        ("eta T0001 tomorrow 10:00", "2026-12-02T02:00:00Z"),
        ("T0001 promise 9:00", "2026-12-02T01:00:00Z"),  // 09:00 has passed today: tomorrow
    ])
    func promiseForms(command: String, due: String) async throws {
        try await Conversation.run { c in
            try await c.resident(zhResident, "3栋2单元501厨房水管漏水")
            try await c.staff("zhang_wei", command)
            #expect(try await c.require("T0001").promisedReplyAt == utc(due), "\(command)")
            c.expectReply(to: zhResident, containing: "【工单T0001】张伟将在")
            #expect(try await c.events("T0001").contains { $0.kind == .promised }, "\(command)")
        }
    }

    @Test("accept in every form: verb first, ref first, glued, synonyms (Chinese and English)", arguments: [
        "接单 T0001", "T0001 接单", "接单T0001", "受理 t1", "接單 T0001", "accept T0001", "T0001 accept", "ACK T1", "ok T0001",
        "接单：T0001", "接单\u{3000}Ｔ０００１",
    ])
    func acceptForms(command: String) async throws {
        try await Conversation.run { c in
            try await c.resident(zhResident, "3栋2单元501厨房水管漏水")
            try await c.staff("zhang_wei", command)
            #expect(try await c.require("T0001").status == .accepted, "\(command)")
            c.expectReply(to: zhResident, containing: "已受理工单T0001")
        }
    }

    @Test("commands on a closed ticket are refused politely; a resident naming their own closed ticket is told it is closed")
    func closedTicket() async throws {
        try await Conversation.run { c in
            try await c.resident(zhResident, "3栋2单元501厨房水管漏水")
            try await c.staff("zhang_wei", "完成 T0001 已更换水管接头")
            try await c.resident(zhResident, "解决了 5")
            #expect(try await c.require("T0001").status == .closed)

            try await c.staff("zhang_wei", "T0001 回复 还有问题吗")
            c.expectReply(to: "zhang_wei", containing: "工单T0001已办结")
            c.expectSilence(to: zhResident)
            try await c.staff("zhang_wei", "done T0001 again")
            c.expectReply(to: "zhang_wei", containing: "T0001")
            #expect(try await c.require("T0001").status == .closed)
            // Notes are still allowed on a closed ticket.
            try await c.staff("zhang_wei", "备注 T0001 住户很满意")
            c.expectReply(to: "zhang_wei", containing: "备注已记入工单T0001")

            try await c.resident(zhResident, "T0001 怎么样了")
            c.expectReply(to: zhResident, containing: "工单T0001", "已办结")
            #expect(try await c.tickets().count == 1)
        }
    }

    @Test("a third hand-on is buck-passing even between new departments; both heads are told")
    func tooManyTransfers() async throws {
        try await Conversation.run { c in
            try await c.resident(enResident, "The corridor light outside Flat 1203, Block 2 is broken")
            try await c.staff("zhang_wei", "transfer T0001 security check the door")
            try await c.staff("wu_hao", "transfer T0001 cleaning cobwebs")
            #expect(try await c.require("T0001").flags.contains(.buckPassing) == false)
            try await c.staff("he_xia", "transfer T0001 service ask the resident")
            let ticket = try await c.require("T0001")
            #expect(ticket.transferCount == 3)
            #expect(ticket.flags.contains(.buckPassing))
            #expect(ticket.firstResponder == "wang_fang")
            #expect(ticket.department == .service)
            c.expectReply(to: "chen_jing", containing: "【推诿预警】", "T0001")
        }
    }

    @Test("a head escalating reports to leadership; a head may work a ticket of their department")
    func headEscalates() async throws {
        try await Conversation.run { c in
            try await c.resident(zhResident, "3栋2单元501厨房水管漏水")
            try await c.staff("zhang_wei", "上报 T0001 需要更换主管道")
            c.expectReply(to: "zhao_gang", containing: "【上报】", "T0001")
            c.expectSilence(to: "lin_guo")
            try await c.staff("zhao_gang", "上报 T0001 需要公司批准维修费用")
            c.expectReply(to: "lin_guo", containing: "【上报】", "赵刚", "T0001", "需要公司批准维修费用")
            c.expectReply(to: "zhao_gang", containing: "工单T0001已上报")
            c.expectReply(to: "wang_fang", containing: "T0001")
            #expect(try await c.require("T0001").escalations[.resolution] == 3)
            try await c.staff("zhao_gang", "T0001 回复 公司已批准，明天更换主管道")
            c.expectReply(to: zhResident, containing: "【工单T0001】赵刚：公司已批准，明天更换主管道")
        }
    }

    @Test("transfer: the resident is told politely, the new handler gets the resident's words verbatim, the first responder stays; a transfer back is buck-passing (Chinese)")
    func transferAndBuckPassingChinese() async throws {
        try await Conversation.run { c in
            try await c.resident(zhResident, "3栋2单元501厨房水管漏水，好像是楼上渗下来的")
            try await c.resident(zhResident, "T0001 楼上602今天有人在家")

            try await c.staff("zhang_wei", "转 T0001 保安 需要秩序部联系楼上602开门")
            var ticket = try await c.require("T0001")
            #expect(ticket.department == .security)
            #expect(ticket.handler == "wu_hao")
            #expect(ticket.firstResponder == "wang_fang")
            #expect(!ticket.flags.contains(.buckPassing))
            c.expectReply(to: zhResident, containing: "T0001", "吴浩", "需要秩序部联系楼上602开门", "首问责任人王芳继续跟进")
            c.expectReply(to: "wu_hao", containing: "【转派给你】", "T0001",
                          "3栋2单元501厨房水管漏水，好像是楼上渗下来的", "T0001 楼上602今天有人在家")
            c.expectReply(to: "zhang_wei", containing: "T0001", "吴浩")
            c.expectReply(to: "wang_fang", containing: "T0001", "已转派")
            c.expectSilence(to: "zhao_gang")
            c.expectSilence(to: "ma_lin")

            // Security hands it straight back to engineering, which already had it: buck-passing.
            try await c.staff("wu_hao", "转 T0001 工程 这是维修的事")
            ticket = try await c.require("T0001")
            #expect(ticket.department == .engineering)
            #expect(ticket.handler == "zhang_wei")
            #expect(ticket.firstResponder == "wang_fang")
            #expect(ticket.flags.contains(.buckPassing))
            c.expectReply(to: "zhao_gang", containing: "【推诿预警】", "T0001")
            c.expectReply(to: "ma_lin", containing: "【推诿预警】", "T0001")
            c.expectReply(to: "zhang_wei", containing: "【转派给你】", "3栋2单元501厨房水管漏水，好像是楼上渗下来的")
            #expect(try await c.events("T0001").contains { $0.kind == .flagged && $0.text.hasPrefix("buck_passing") })
        }
    }

    @Test("transfer: the resident is told politely, the new handler gets the resident's words verbatim, the first responder stays; a transfer back is buck-passing (English)")
    func transferAndBuckPassingEnglish() async throws {
        try await Conversation.run { c in
            try await c.resident(enResident, "The corridor light outside Flat 1203, Block 2 is broken")
            try await c.staff("zhang_wei", "transfer T0001 cleaning the lamp is full of cobwebs")
            var ticket = try await c.require("T0001")
            #expect(ticket.handler == "he_xia")
            #expect(ticket.firstResponder == "wang_fang")
            c.expectReply(to: enResident, containing: "ticket T0001", "何霞", "the lamp is full of cobwebs", "王芳 remains your first contact")
            c.expectReply(to: "he_xia", containing: "T0001", "The corridor light outside Flat 1203, Block 2 is broken")

            try await c.staff("he_xia", "tf T0001 eng it is a wiring fault")
            ticket = try await c.require("T0001")
            #expect(ticket.handler == "zhang_wei")
            #expect(ticket.flags.contains(.buckPassing))
            c.expectReply(to: "zhao_gang", containing: "T0001")
        }
    }

    @Test("shift commands: mine, duty, handover, check-out, check-in shows the handover, patrol normal and abnormal, help (Chinese)")
    func shiftCommandsChinese() async throws {
        try await Conversation.run { c in
            try await c.resident(zhResident, "3栋2单元501厨房水管漏水")

            try await c.staff("zhang_wei", "我的")
            c.expectReply(to: "zhang_wei", containing: "你的未办结工单", "T0001", "处理")
            try await c.staff("wang_fang", "我的工单")
            c.expectReply(to: "wang_fang", containing: "T0001", "首问")
            try await c.staff("li_qiang", "我的")
            c.expectReply(to: "li_qiang", containing: "没有未办结的工单")

            try await c.staff("zhang_wei", "值班")
            c.expectReply(to: "zhang_wei", containing: "当前值班", "工程部：张伟（负责人赵刚）", "秩序维护部：吴浩")

            try await c.staff("zhang_wei", "上班")
            c.expectReply(to: "zhang_wei", containing: "已签到", "1张")
            try await c.staff("zhang_wei", "交班 3栋2单元501明早再去看一次")
            c.expectReply(to: "zhang_wei", containing: "交班记录已登记")
            try await c.staff("zhang_wei", "下班")
            c.expectReply(to: "zhang_wei", containing: "已签退", "1张")

            // 20:00: the night engineer checks in and sees the handover.
            try await c.advance(to: utc("2026-12-01T12:00:00Z"))
            try await c.staff("li_qiang", "签到")
            c.expectReply(to: "li_qiang", containing: "已签到", "张伟", "3栋2单元501明早再去看一次")

            try await c.staff("li_qiang", "巡查 水泵房 正常")
            c.expectReply(to: "li_qiang", containing: "水泵房巡查已登记")
            let countBefore = try await c.tickets().count
            #expect(countBefore == 1)
            try await c.staff("li_qiang", "巡查 地下车库B2 消防栓漏水")
            c.expectReply(to: "li_qiang", containing: "地下车库B2", "T0002", "你是首问责任人")
            let patrolTicket = try await c.require("T0002")
            #expect(patrolTicket.source == .patrol)
            #expect(patrolTicket.firstResponder == "li_qiang")
            #expect(patrolTicket.text == "地下车库B2 消防栓漏水")
            let log = try await c.rig.gateway.store.dutyLog(from: Conversation.morning, to: utc("2026-12-02T00:00:00Z"))
            #expect(log.map(\.kind) == [.checkIn, .handover, .checkOut, .checkIn, .patrol, .patrol])
            #expect(log.last?.abnormal == true && log.last?.ticketRef == "T0002")
            #expect(log.dropLast().last?.abnormal == false)

            try await c.staff("li_qiang", "帮助")
            c.expectReply(to: "li_qiang", containing: "指令", "接单 T1", "巡查")
        }
    }

    @Test("shift commands: mine, duty, handover, check-in shows the handover, patrol normal and abnormal, help (English)")
    func shiftCommandsEnglish() async throws {
        try await Conversation.run { c in
            try await c.staff("emma_wong", "mine")
            c.expectReply(to: "emma_wong", containing: "You have no open tickets.")
            try await c.staff("emma_wong", "who")
            c.expectReply(to: "emma_wong", containing: "On duty now:", "engineering: 张伟 (head 赵刚)", "Emma Wong")
            try await c.staff("emma_wong", "checkin")
            c.expectReply(to: "emma_wong", containing: "Checked in. You have 0 open tickets.")
            try await c.staff("emma_wong", "handover lobby door sticks, locksmith coming Thursday")
            c.expectReply(to: "emma_wong", containing: "handover notes are logged")
            try await c.staff("emma_wong", "checkout")
            c.expectReply(to: "emma_wong", containing: "Checked out.")
            // The next service-centre check-in sees Emma's notes.
            try await c.staff("wang_fang", "checkin")
            c.expectReply(to: "wang_fang", containing: "已签到", "Emma Wong", "lobby door sticks, locksmith coming Thursday")

            try await c.staff("emma_wong", "patrol lobby ok")
            c.expectReply(to: "emma_wong", containing: "Patrol of lobby logged as normal.")
            try await c.staff("emma_wong", "patrol car-park-B2 water leaking from the ceiling")
            c.expectReply(to: "emma_wong", containing: "Patrol of car-park-B2", "ticket T0001", "You are its first contact.")
            let ticket = try await c.require("T0001")
            #expect(ticket.source == .patrol)
            #expect(ticket.firstResponder == "emma_wong")
            #expect(ticket.handler == "zhang_wei")
            c.expectReply(to: "zhang_wei", containing: "T0001")

            try await c.staff("emma_wong", "help")
            c.expectReply(to: "emma_wong", containing: "Commands (ticket number after the word)")
            // The patrol ticket is worked and closed by staff: no resident to confirm.
            try await c.staff("zhang_wei", "done T0001 sealed the pipe joint")
            #expect(try await c.require("T0001").status == .closed)
            c.expectReply(to: "emma_wong", containing: "T0001")
        }
    }

    @Test("with check-in required, a missed check-in alerts the head and tickets go around the absent staff member until they check in")
    func missedCheckIn() async throws {
        let policy = DeskPolicy(checkInRequired: true)
        // 20:10 in Shanghai: the night shift began at 20:00, within the 15-minute grace.
        try await Conversation.run(at: utc("2026-12-01T12:10:00Z"), policy: policy) { c in
            try await c.staff("liu_yang", "上班")
            try await c.staff("zhou_bo", "签到")
            try await c.advance(by: 10 * 60)  // 20:20: the grace has passed
            c.expectReply(to: "zhao_gang", containing: "【未签到】", "李强")
            let dead = try await c.rig.gateway.store.outbound(status: .dead)
            #expect(dead.isEmpty, "dead-lettered: \(dead.map { "\($0.to) \($0.lastError ?? "")" })")
            c.expectSilence(to: "li_qiang")
            let log = try await c.rig.gateway.store.dutyLog(from: Conversation.morning, to: utc("2026-12-02T00:00:00Z"))
            #expect(log.filter { $0.kind == .missedCheckIn }.map(\.staffID) == ["li_qiang"])
            // Alerted once only.
            try await c.advance(by: 60)
            c.expectSilence(to: "zhao_gang")

            try await c.resident(zhResident, "3栋2单元501厨房水管漏水")
            var ticket = try await c.require("T0001")
            #expect(ticket.firstResponder == "liu_yang")
            #expect(ticket.handler == "zhao_gang")
            #expect(ticket.flags.contains(.nobodyOnDuty))
            c.expectReply(to: "zhao_gang", containing: "T0001")
            c.expectSilence(to: "li_qiang")

            try await c.staff("li_qiang", "上班")
            c.expectReply(to: "li_qiang", containing: "已签到")
            try await c.resident(zhNeighbour, "5栋2单元302卫生间水管漏水")
            ticket = try await c.require("T0002")
            #expect(ticket.handler == "li_qiang")
        }
    }

    @Test("an unknown command gets help; a ticket command without a ref gets its usage; an unknown ref is named (Chinese and English)")
    func helpAndUsage() async throws {
        try await Conversation.run { c in
            try await c.staff("zhang_wei", "你好")
            c.expectReply(to: "zhang_wei", containing: "指令")
            try await c.staff("emma_wong", "hello there")
            c.expectReply(to: "emma_wong", containing: "Commands")

            let usages: [(String, String, String)] = [
                ("zhang_wei", "接单", "受理：接单 T0001"),
                ("zhang_wei", "完成 已修好", "完成：完成 T0001"),
                ("zhang_wei", "承诺", "承诺答复时间"),
                ("zhang_wei", "转 工程", "转派：转 T0001"),
                ("zhang_wei", "上报", "上报：上报 T0001"),
                ("zhang_wei", "备注", "内部备注"),
                ("zhang_wei", "回访", "回访记录"),
                ("emma_wong", "accept", "To accept: accept T0001"),
                ("emma_wong", "done", "To mark done: done T0001"),
                ("emma_wong", "promise 18:00", "To promise a reply time"),
                ("emma_wong", "transfer", "To transfer"),
                ("emma_wong", "escalate", "To report up"),
                ("emma_wong", "note", "To add an internal note"),
                ("emma_wong", "callback", "To record a callback"),
                ("emma_wong", "handover", "To hand over"),
                ("emma_wong", "patrol", "To log a patrol"),
            ]
            for (who, text, usage) in usages {
                try await c.staff(who, text)
                c.expectReply(to: who, containing: usage)
            }
            try await c.staff("zhang_wei", "完成 T0042")
            c.expectReply(to: "zhang_wei", containing: "没有工单T0042")
            try await c.staff("emma_wong", "accept T0042")
            c.expectReply(to: "emma_wong", containing: "There is no ticket T0042")
            #expect(try await c.tickets().isEmpty)
        }
    }

    @Test("staff not on a ticket are refused and the refusal is on the timeline; a non-staff number is a resident (Chinese and English)")
    func refusals() async throws {
        try await Conversation.run { c in
            try await c.resident(zhResident, "3栋2单元501厨房水管漏水")

            try await c.staff("wu_hao", "完成 T0001 修好了")
            c.expectReply(to: "wu_hao", containing: "不能操作")
            c.expectSilence(to: zhResident)
            try await c.staff("emma_wong", "accept T0001")
            c.expectReply(to: "emma_wong", containing: "You are not the first contact or handler of ticket T0001")
            let ticket = try await c.require("T0001")
            #expect(ticket.status == .open)
            #expect(ticket.firstResponseAt == nil)
            let refusals = try await c.events("T0001").filter { $0.text.hasPrefix("refused") }
            #expect(refusals.map(\.actor) == ["wu_hao", "emma_wong"])

            // A number not on the roster cannot work tickets: it is just a resident naming a ref that is not theirs.
            try await c.resident(stranger, "完成 T0001")
            c.expectReply(to: stranger, containing: "没有找到工单T0001")
            try await c.resident(enNeighbour, "accept T0001")
            c.expectReply(to: enNeighbour, containing: "could not find ticket T0001")
            #expect(try await c.require("T0001").status == .open)
            #expect(try await c.events("T0001").allSatisfy { $0.actor != stranger && $0.actor != enNeighbour })
            // Nor does "duty" give a stranger the roster.
            try await c.resident(stranger, "值班")
            #expect(c.texts(to: stranger).allSatisfy { !$0.contains("当前值班") })
        }
    }
}

// MARK: - First-ask rules

@Suite("Conversation: first-ask rules", .serialized)
struct ConversationFirstAskTests {
    @Test("a conduct complaint naming a staff member goes to a head; the named person is never told and cannot act on it (Chinese)")
    func conductChinese() async throws {
        try await Conversation.run { c in
            try await c.resident(zhResident, "3栋的保安吴浩态度很差，还骂人")
            let ticket = try await c.require("T0001")
            #expect(ticket.category == .staffConduct)
            #expect(ticket.conductSubject == "wu_hao")
            #expect(ticket.handler == "ma_lin")
            #expect(ticket.firstResponder != "wu_hao")
            #expect(ticket.flags.contains(.conduct))
            c.expectReply(to: "ma_lin", containing: "【服务态度投诉】", "T0001")
            c.expectReply(to: zhResident, containing: "T0001")
            c.expectSilence(to: "wu_hao")

            try await c.staff("wu_hao", "接单 T0001")
            c.expectReply(to: "wu_hao", containing: "不能操作")
            try await c.staff("wu_hao", "T0001 我没有骂人")
            c.expectSilence(to: zhResident)
            try await c.staff("wu_hao", "备注 T0001 是住户先动手")
            #expect(try await c.events("T0001").allSatisfy { $0.kind != .note || $0.text.hasPrefix("refused") })

            // The clocks never remind the person it is about.
            try await c.advance(by: 6 * 3600)
            c.expectSilence(to: "wu_hao")
            // Nothing about it ever reached them but the refusals.
            #expect(c.allTexts(to: "wu_hao").allSatisfy { !$0.contains("骂人") && $0.contains("不能操作") })
            #expect(try await c.require("T0001").status == .open)
        }
    }

    @Test("a conduct complaint naming a staff member goes to a head; the named person is never told and cannot act on it (English)")
    func conductEnglish() async throws {
        try await Conversation.run { c in
            try await c.resident(enResident, "Emma Wong was rude and impatient with me at the front desk")
            let ticket = try await c.require("T0001")
            #expect(ticket.category == .staffConduct)
            #expect(ticket.conductSubject == "emma_wong")
            #expect(ticket.handler == "chen_jing")
            #expect(ticket.firstResponder == "wang_fang")
            c.expectReply(to: "chen_jing", containing: "T0001")
            c.expectSilence(to: "emma_wong")
            try await c.staff("emma_wong", "accept T0001")
            c.expectReply(to: "emma_wong", containing: "cannot act on it")
            try await c.staff("emma_wong", "callback T0001 spoke to the resident")
            #expect(try await c.events("T0001").allSatisfy { $0.kind != .callback })
            #expect(c.allTexts(to: "emma_wong").allSatisfy { !$0.contains("rude") })
        }
    }

    @Test("an emergency pages the department's on-duty staff and the control room; fire and gas also page security (Chinese)")
    func emergencyChinese() async throws {
        try await Conversation.run { c in
            try await c.resident(zhResident, "2号楼电梯困人了，有人被关在里面")
            var ticket = try await c.require("T0001")
            #expect(ticket.severity == .emergency)
            c.expectReply(to: zhResident, containing: "【紧急】", "T0001")
            c.expectReply(to: "zhang_wei", containing: "T0001")
            c.expectReply(to: "sun_li", containing: "【紧急】", "T0001")
            c.expectSilence(to: "wu_hao")
            #expect(ticket.helpers.contains("sun_li"))

            try await c.resident(zhNeighbour, "3栋2单元501厨房燃气泄漏，很大煤气味")
            ticket = try await c.require("T0002")
            #expect(ticket.severity == .emergency)
            #expect(ticket.department == .fireControl)
            c.expectReply(to: "sun_li", containing: "T0002")
            c.expectReply(to: "wu_hao", containing: "【现场核查】", "T0002")
            #expect(ticket.helpers.contains("wu_hao"))
            // A paged helper may add notes.
            try await c.staff("wu_hao", "备注 T0002 已到现场，已开窗通风")
            c.expectReply(to: "wu_hao", containing: "备注已记入工单T0002")

            try await c.resident(zhThird, "5栋2单元302厨房着火了")
            c.expectReply(to: "wu_hao", containing: "【现场核查】", "T0003")
            c.expectReply(to: zhThird, containing: "【紧急】", "T0003")
        }
    }

    @Test("an emergency pages the department's on-duty staff and the control room; fire and gas also page security (English)")
    func emergencyEnglish() async throws {
        try await Conversation.run { c in
            try await c.resident(enResident, "Someone is trapped in the lift in Block 2!")
            c.expectReply(to: enResident, containing: "URGENT", "T0001")
            c.expectReply(to: "sun_li", containing: "【紧急】", "T0001")
            c.expectSilence(to: "wu_hao")
            try await c.resident(enNeighbour, "Strong gas smell in Flat 1203, Block 2")
            c.expectReply(to: enNeighbour, containing: "URGENT", "T0002")
            c.expectReply(to: "wu_hao", containing: "【现场核查】", "T0002")
        }
    }

    @Test("an emergency pages every on-duty member of the department and of the control room, and for fire every security guard on duty")
    func emergencyPagesEveryone() async throws {
        // The shipped roster has one person per front-line department by day; this one doubles the day shift.
        let folder = try RepositoryFiles.temporaryFolder("convo-roster")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let roster = try String(contentsOfFile: RepositoryFiles.roster, encoding: .utf8) + """
              - {staff: li_qiang,  from: "08:00", to: "20:00"}
              - {staff: zhou_bo,   from: "08:00", to: "20:00"}
              - {staff: zheng_kai, from: "06:00", to: "18:00"}

            """
        let path = folder + "/roster.yaml"
        try roster.write(toFile: path, atomically: true, encoding: .utf8)
        try await Conversation.run(roster: path) { c in
            try await c.resident(zhResident, "2号楼电梯困人了，有人被关在里面")
            var ticket = try await c.require("T0001")
            #expect(["zhang_wei", "li_qiang"].contains(ticket.handler))
            let otherEngineer = ticket.handler == "zhang_wei" ? "li_qiang" : "zhang_wei"
            c.expectReply(to: otherEngineer, containing: "【紧急】", "T0001")
            c.expectReply(to: "sun_li", containing: "【紧急】", "T0001")
            c.expectReply(to: "zhou_bo", containing: "【紧急】", "T0001")
            c.expectSilence(to: "wu_hao")
            c.expectSilence(to: "zheng_kai")
            #expect(Set(ticket.helpers) == [otherEngineer, "sun_li", "zhou_bo"])

            try await c.resident(enResident, "Fire! Smoke coming from Flat 1203 Block 2")
            ticket = try await c.require("T0002")
            c.expectReply(to: "wu_hao", containing: "T0002")
            c.expectReply(to: "zheng_kai", containing: "T0002")
            let controlRoom = ["sun_li", "zhou_bo"].filter { $0 != ticket.handler }
            for staff in controlRoom { c.expectReply(to: staff, containing: "【紧急】", "T0002") }
        }
    }

    @Test("SLA: a missed first response reminds handler and first responder, then the head, then leadership (Chinese staff)")
    func slaLadder() async throws {
        try await Conversation.run { c in
            try await c.resident(zhResident, "3栋2单元501厨房水管漏水")
            // A second ticket, accepted in time, never climbs.
            try await c.resident(zhNeighbour, "3栋电梯坏了，一直停在5楼")
            try await c.staff("zhang_wei", "接单 T0002")

            try await c.advance(by: 29 * 60)
            #expect(c.last.isEmpty)

            try await c.advance(by: 2 * 60)  // 10:31: the 30-minute first response is missed
            c.expectReply(to: "zhang_wei", containing: "【提醒】", "T0001", "首次响应")
            c.expectReply(to: "wang_fang", containing: "【提醒】", "T0001", "首次响应")
            #expect(c.recipients == ["zhang_wei", "wang_fang"])
            #expect(try await c.require("T0001").flags.contains(.overdue))
            let accepted = try await c.require("T0002")
            #expect(!accepted.flags.contains(.overdue))

            try await c.advance(by: 60 * 60)  // 11:31: the step (2 h) has not passed yet
            #expect(c.last.isEmpty)

            try await c.advance(by: 60 * 60)  // 12:31: the head
            c.expectReply(to: "zhao_gang", containing: "【超时】", "T0001", "首次响应")
            #expect(c.recipients == ["zhao_gang"])

            try await c.advance(by: 2 * 3600)  // 14:31: leadership (and the 14:00 reply deadline reminds)
            c.expectReply(to: "lin_guo", containing: "【超时·呈报领导】", "T0001", "首次响应")
            #expect(!c.recipients.contains(zhResident))
            #expect(c.texts(to: "zhao_gang").allSatisfy { !$0.contains("首次响应") })
            let ticket = try await c.require("T0001")
            #expect(ticket.escalations[.firstResponse] == 3)
            let events = try await c.events("T0001")
            #expect(events.filter { $0.kind == .reminded }.count >= 1)
            #expect(events.filter { $0.kind == .escalated }.count >= 2)

            // Answering stops the climb.
            try await c.staff("zhang_wei", "T0001 回复 马上到")
            try await c.advance(by: 6 * 3600)
            c.expectNoReply(to: "lin_guo", containing: "T0001")
            c.expectNoReply(to: "zhao_gang", containing: "T0001")
        }
    }

    @Test("SLA: the reminder reaches an English-speaking handler in English, then the head")
    func slaEnglishStaff() async throws {
        try await Conversation.run { c in
            // The service centre handles fee questions; the second goes to whoever has less work.
            try await c.resident(zhResident, "请问3栋2单元501的物业费怎么交？")
            try await c.resident(enResident, "How much is the management fee for Flat 1203, Block 2?")
            let first = try await c.require("T0001")
            let second = try await c.require("T0002")
            #expect(Set([first.handler, second.handler]) == ["wang_fang", "emma_wong"])
            let (english, other) = first.handler == "emma_wong" ? (first, second) : (second, first)
            try await c.staff(other.handler, "接单 \(other.ref)")

            try await c.advance(by: 31 * 60)
            c.expectReply(to: "emma_wong", containing: "[Reminder] Ticket \(english.ref): the first response deadline")
            try await c.advance(by: 2 * 3600)
            c.expectReply(to: "chen_jing", containing: "【超时】", english.ref)
        }
    }
}

// MARK: - Written complaints

@Suite("Conversation: written complaints", .serialized)
struct ConversationWrittenTests {
    @Test("a written complaint goes to leadership; done is refused until the written reply is recorded (Chinese)")
    func writtenChinese() async throws {
        try await Conversation.run { c in
            let registered = try await c.admin { desk, tx, now in
                try desk.registerWritten(WrittenComplaint(
                    register: "SM-2026-031", text: "关于地下车库长期漏水无人处理的投诉，多次反映未果",
                    resident: zhResident, channel: "sms"), tx, now: now)
            }
            #expect(registered.ref == "T0001")
            let ticket = try await c.require("T0001")
            #expect(ticket.source == .written)
            #expect(ticket.register == "SM-2026-031")
            c.expectReply(to: "lin_guo", containing: "【书面投诉SM-2026-031】", "T0001")
            c.expectReply(to: zhResident, containing: "SM-2026-031", "T0001", "书面")
            let handler = ticket.handler

            try await c.staff(handler, "完成 T0001 已修复车库顶板")
            c.expectReply(to: handler, containing: "请先登记书面答复")
            c.expectSilence(to: zhResident)
            #expect(try await c.require("T0001").status.isOpen)
            #expect(try await c.require("T0001").status != .resolved)

            try await c.admin { desk, tx, now in
                try desk.recordWrittenReply(ref: "T0001", text: "已于12月1日书面答复：车库顶板已修复。", by: "admin", tx, now: now)
            }
            #expect(try await c.require("T0001").writtenReplyAt != nil)
            try await c.staff(handler, "完成 T0001 已修复车库顶板")
            c.expectReply(to: zhResident, containing: "T0001", "已处理完成")
            #expect(try await c.require("T0001").status == .resolved)
        }
    }

    @Test("a written complaint goes to leadership; done is refused until the written reply is recorded (English, no resident number)")
    func writtenEnglish() async throws {
        try await Conversation.run { c in
            try await c.admin { desk, tx, now in
                try desk.registerWritten(WrittenComplaint(
                    register: "SM-2026-032",
                    text: "Written complaint: the underground car park has been leaking for months and nobody fixed it",
                    locale: .en), tx, now: now)
            }
            c.expectReply(to: "lin_guo", containing: "SM-2026-032", "T0001")
            let ticket = try await c.require("T0001")
            try await c.staff(ticket.handler, "done T0001 sealed the roof")
            c.expectReply(to: ticket.handler, containing: "T0001", "SM-2026-032")
            #expect(try await c.require("T0001").status.isOpen)
            let dead = try await c.rig.gateway.store.outbound(status: .dead)
            #expect(dead.isEmpty, "texts about the written complaint were dead-lettered: \(dead.map { "\($0.to) \($0.lastError ?? "")" })")
        }
    }
}
