import FirstaskApp
import FirstaskClassifier
import FirstaskDesk
import FirstaskTesting
import Foundation
import Testing

/// Details of what the desk says and records, each once got wrong in a scripted conversation.
@Suite("Desk details")
struct DeskDetailTests {
    let resident = "+8613911110001"
    let englishResident = "+447700900123"
    /// 2026-12-05, a Saturday, 10:00 in Shanghai: 王芳 is the only service-centre staff member on duty.
    static let saturday = ISO8601DateFormatter().date(from: "2026-12-05T02:00:00Z")!

    @Test("the on-duty service-centre person a conduct complaint is about is excluded, not absent: no nobody-on-duty alert or flag")
    func conductSubjectIsExcludedNotAbsent() async throws {
        var desk = try await DeskHarness(now: Self.saturday)
        #expect(desk.roster.onDuty(.service, at: Self.saturday).map(\.id) == ["wang_fang"])
        _ = try await desk.receive("前台的王芳态度很差，还骂人", from: resident)
        let ticket = try await desk.ticket("T0001")
        #expect(ticket.category == .staffConduct && ticket.conductSubject == "wang_fang")
        #expect(ticket.firstResponder == "chen_jing", "the head stands in for the one it is about")
        #expect(!ticket.flags.contains(.nobodyOnDuty))
        let texts = try await desk.store.outbound(status: nil).map(\.text)
        #expect(!texts.contains { $0.contains("【无人值班】") })
        #expect(try await desk.outbox(to: desk.phone("wang_fang")).isEmpty)
        let log = try await desk.store.dutyLog(from: .distantPast, to: .distantFuture)
        #expect(!log.contains { $0.kind == .nobodyOnDuty })

        // Nobody at all on duty is still absent: flagged and logged (the head, now first responder, is told as such).
        var empty = desk.roster
        empty.shifts.removeAll { $0.department == .service }
        try await desk.store.replaceRoster(empty)
        _ = try await desk.receive("5栋1单元302卫生间漏水", from: "+8613911110002")
        #expect(try await desk.ticket("T0002").flags.contains(.nobodyOnDuty))
        let absent = try await desk.store.dutyLog(from: .distantPast, to: .distantFuture).filter { $0.kind == .nobodyOnDuty }
        #expect(absent.map(\.ticketRef) == ["T0002"])
    }

    @Test("a conduct complaint about a guard names its handler with the handler's own department, not the ticket's")
    func conductHandlerDepartment() async throws {
        var desk = try await DeskHarness()
        // Rudeness is a general complaint (the learned model reads "态度很差，爱理不理" as major, a known error).
        _ = try await desk.receive("3栋门岗保安吴浩问他话不理人", from: resident)
        let ticket = try await desk.ticket("T0001")
        #expect(ticket.department == .management && ticket.handler == "ma_lin")
        let firstResponder = try await desk.outbox(to: desk.phone(ticket.firstResponder))
        #expect(firstResponder.contains { $0.contains("处理人：秩序维护部马林") }, "\(firstResponder)")
        #expect(!firstResponder.contains { $0.contains("管理处马林") })
        let ack = try await desk.outbox(to: resident)
        #expect(ack.contains { $0.contains("秩序维护部的马林") }, "\(ack)")

        _ = try await desk.receive("接单 T0001", from: desk.phone("ma_lin"))
        #expect(try await desk.outbox(to: resident).contains { $0.contains("秩序维护部的马林已受理工单T0001") })
    }

    @Test("an abnormal patrol's ticket is located at the place the patrol names")
    func patrolLocation() async throws {
        var desk = try await DeskHarness()
        _ = try await desk.receive("巡查 水泵房 地面积水", from: desk.phone("wu_hao"))
        let ticket = try await desk.ticket("T0001")
        #expect(ticket.source == .patrol)
        #expect(ticket.location == Location(place: "水泵房"))
        let handler = try await desk.outbox(to: desk.phone(ticket.handler))
        #expect(handler.contains { $0.contains("位置水泵房") }, "\(handler)")
        #expect(!handler.contains { $0.contains("位置-") })
    }

    @Test("handler notices do not double the full stop after the resident's words (Chinese and English words)")
    func noDoubledFullStop() async throws {
        var desk = try await DeskHarness()
        _ = try await desk.receive("3栋2单元501厨房水管漏水，请尽快答复。", from: resident)
        _ = try await desk.receive("The kitchen tap in Flat 1203, Block 2 has been leaking since Monday.", from: englishResident)
        let texts = try await desk.outbox(to: desk.phone("zhang_wei"))
        #expect(texts.count == 2)
        #expect(texts.contains { $0.contains("请尽快答复。回复") }, "\(texts)")
        #expect(texts.contains { $0.contains("since Monday.回复") }, "\(texts)")
        #expect(texts.allSatisfy { !$0.contains("。。") && !$0.contains(".。") })
    }

    @Test("a template's full stop after a placeholder is dropped only when the value already ends its sentence", arguments: [
        ("好。", "好。回复"), ("好", "好。回复"), ("done.", "done.回复"), ("what?", "what?回复"), ("T0001", "T0001。回复"),
    ])
    func fullStopAfterValue(value: String, expected: String) {
        let templates = Templates([.zhHans: ["k": "{text}。回复"], .en: ["k": "{text}. Next"]])
        #expect(templates.render("k", .zhHans, ["text": value]) == expected)
        #expect(templates.render("k", .en, ["text": "fixed."]) == "fixed. Next")
        #expect(templates.render("k", .en, ["text": "fixed"]) == "fixed. Next")
    }

    @Test("English replies write the month as a word: 1 Dec 14:00, never 1/12 14:00")
    func englishDates() async throws {
        var desk = try await DeskHarness()
        _ = try await desk.receive("The kitchen tap in Flat 1203, Block 2 is leaking", from: englishResident)
        let ack = try await desk.outbox(to: englishResident)
        #expect(ack.contains { $0.contains("by 1 Dec 14:00") }, "\(ack)")
        let numericDate = try Regex(#"\b\d{1,2}/\d{1,2} \d{2}:\d{2}"#)
        let all = try await desk.store.outbound(status: nil).map(\.text)
        #expect(all.allSatisfy { $0.firstMatch(of: numericDate) == nil })
        #expect(try await desk.outbox(to: desk.phone("wang_fang")).contains { $0.contains("12月1日 14:00") })
    }
}
