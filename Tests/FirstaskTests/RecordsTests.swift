import FirstaskApp
import FirstaskClassifier
import FirstaskDesk
import FirstaskSQLite
import FirstaskTesting
import Foundation
import Testing

/// Hand-made tickets for the record and report builders, on the shipped roster and templates.
enum RecordsFixture {
    static let shanghai = TimeZone(identifier: "Asia/Shanghai")!
    static let roster = try! RosterFile.load(path: RepositoryFiles.roster)
    static let templates = try! Prompts.load(folder: RepositoryFiles.prompts).templates
    static let november = ReportMonth(year: 2026, month: 11, timeZone: shanghai)

    static func date(_ iso: String) -> Date { ISO8601DateFormatter().date(from: iso)! }

    static func ticket(
        _ number: Int, at created: String, category: Category = .plumbing, severity: Severity = .general,
        intent: Intent = .repair, location: Location? = Location(building: "3", unit: "2", room: "501"),
        firstResponder: String = "wang_fang", firstResponse minutes: Double? = nil, resolved hours: Double? = nil,
        state: TicketLifecycle.State = .open(waitingFor: nil), text: String = "3栋2单元501厨房漏水", resident: String? = nil
    ) -> Ticket {
        let createdAt = date(created)
        var ticket = Ticket(
            ref: Ticket.ref(number: number), lifecycle: TicketLifecycle(state), intent: intent, category: category, department: .engineering,
            severity: severity, location: location, resident: resident ?? "+86139\(String(format: "%08d", number))", channel: "sms",
            locale: .zhHans, text: text, firstResponder: firstResponder, handler: "zhang_wei", rulesVersion: "test",
            createdAt: createdAt)
        ticket.firstResponseDueAt = createdAt.addingTimeInterval(30 * 60)
        ticket.resolutionDueAt = createdAt.addingTimeInterval(72 * 3600)
        ticket.firstResponseAt = minutes.map { createdAt.addingTimeInterval($0 * 60) }
        ticket.resolvedAt = hours.map { createdAt.addingTimeInterval($0 * 3600) }
        return ticket
    }

    static func report(_ tickets: [Ticket], dutyLog: [DutyLogEntry] = [], sample: Double = 0, seed: UInt64 = 1,
                       asOf: String = "2026-12-05T00:00:00Z") -> MonthlyReport {
        MonthlyReport.build(month: november, entries: tickets.map { MonthlyReport.Entry(ticket: $0, events: []) }, roster: roster,
                            dutyLog: dutyLog, asOf: date(asOf), callbackSample: sample, seed: seed)
    }

    static func vocabulary(_ locale: ReplyLocale = .zhHans) -> RecordVocabulary {
        RecordVocabulary(templates: templates, locale: locale)
    }
}

/// Durations computed from `Date`s carry rounding error in the last bits.
func close(_ value: Double?, _ expected: Double) -> Bool {
    guard let value else { return false }
    return abs(value - expected) < 1e-3
}

@Suite("Records: formatting")
struct RecordFormatTests {
    @Test("percentiles interpolate between closest ranks like a spreadsheet's PERCENTILE.INC")
    func percentiles() {
        #expect(Percentile.median([4, 1, 3, 2]) == 2.5)
        #expect(Percentile.median([7]) == 7)
        #expect(Percentile.median([]) == nil)
        let tenths = Percentile.of((1...10).map(Double.init), 0.9)!
        #expect(abs(tenths - 9.1) < 1e-9)
        #expect(Percentile.of([10, 20], 0.9) == 19)
        #expect(Percentile.of([5, 1, 3], 0) == 1 && Percentile.of([5, 1, 3], 1) == 5)
    }

    @Test("months run from local midnight on the 1st in the roster's time zone, across a year end too")
    func monthBoundaries() throws {
        let shanghai = RecordsFixture.shanghai
        let november = try #require(ReportMonth("2026-11", timeZone: shanghai))
        #expect(november.start == RecordsFixture.date("2026-10-31T16:00:00Z"))
        #expect(november.end == RecordsFixture.date("2026-11-30T16:00:00Z"))
        #expect(november.contains(RecordsFixture.date("2026-10-31T16:00:00Z")))  // 1 Nov 00:00 local
        #expect(!november.contains(RecordsFixture.date("2026-10-31T15:59:59Z")))  // 31 Oct 23:59:59 local
        #expect(november.contains(RecordsFixture.date("2026-11-30T15:59:59Z")))
        #expect(!november.contains(RecordsFixture.date("2026-11-30T16:00:00Z")))
        let december = try #require(ReportMonth("2026-12", timeZone: shanghai))
        #expect(december.end == RecordsFixture.date("2026-12-31T16:00:00Z"))
        #expect(december.description == "2026-12")
        for bad in ["2026-13", "2026-1", "26-11", "2026-11-01", "", "2026/11"] {
            #expect(ReportMonth(bad, timeZone: shanghai) == nil, "\(bad)")
        }
    }

    @Test("a ticket opened just after local midnight on the 1st counts in the new month, not the old")
    func ticketsAtTheBoundary() {
        let tickets = [
            RecordsFixture.ticket(1, at: "2026-10-31T15:59:00Z"),  // 31 Oct 23:59 Shanghai
            RecordsFixture.ticket(2, at: "2026-10-31T16:01:00Z"),  // 1 Nov 00:01
            RecordsFixture.ticket(3, at: "2026-11-30T15:59:00Z"),  // 30 Nov 23:59
            RecordsFixture.ticket(4, at: "2026-11-30T16:00:00Z"),  // 1 Dec 00:00
        ]
        let report = RecordsFixture.report(tickets)
        #expect(report.tickets == 2)
        #expect(report.byCategory.map(\.1) == [2])
    }

    @Test("contacts are masked keeping at most the first six and last four characters, hiding at least four")
    func masking() {
        #expect(RecordFormat.maskContact("+8613812345678") == "+86138****5678")
        #expect(RecordFormat.maskContact("+85291234567") == "+852****4567")
        #expect(RecordFormat.maskContact("+447700900123") == "+4477****0123")
        #expect(RecordFormat.maskContact("12345678") == "****5678")
        #expect(RecordFormat.maskContact("12345") == "****5")
        #expect(RecordFormat.maskContact("") == "")
    }

    @Test("HTML escaping covers the five special characters and leaves Chinese alone")
    func htmlEscaping() {
        #expect(RecordFormat.html(#"<b>"漏水" & 'x'</b>"#) == "&lt;b&gt;&quot;漏水&quot; &amp; &#39;x&#39;&lt;/b&gt;")
    }

    @Test("CSV fields with commas, quotes or line breaks are quoted with quotes doubled; formulas are defused")
    func csvQuoting() {
        #expect(RecordFormat.csvField("厨房漏水") == "厨房漏水")
        #expect(RecordFormat.csvField("漏水,很急") == "\"漏水,很急\"")
        #expect(RecordFormat.csvField("他说\"马上来\"") == "\"他说\"\"马上来\"\"\"")
        #expect(RecordFormat.csvField("第一行\n第二行") == "\"第一行\n第二行\"")
        #expect(RecordFormat.csvField("a\r\nb") == "\"a\r\nb\"")
        #expect(RecordFormat.csvField("+8613812345678") == "+8613812345678")
        #expect(RecordFormat.csvField("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(RecordFormat.csvField("-") == "-")
        #expect(RecordFormat.csvRow(["a", "b,c"]) == "a,\"b,c\"\r\n")
    }

    @Test("durations read as seconds, minutes, hours and minutes, or days and hours")
    func durations() {
        #expect(RecordFormat.duration(42) == "42s")
        #expect(RecordFormat.duration(12 * 60 + 20) == "12m")
        #expect(RecordFormat.duration(3 * 3600 + 5 * 60) == "3h 05m")
        #expect(RecordFormat.duration(52 * 3600) == "2d 04h")
    }
}

@Suite("Records: monthly report")
struct MonthlyReportTests {
    /// Five tickets in November 2026 with known response times, ratings and outcomes.
    static func november() -> [Ticket] {
        var a = RecordsFixture.ticket(1, at: "2026-11-02T02:00:00Z", firstResponse: 10, resolved: 5, state: .closed(.confirmed))
        a.satisfaction = 5
        var b = RecordsFixture.ticket(2, at: "2026-11-03T02:00:00Z", firstResponse: 20, resolved: 30, state: .closed(.confirmed))
        b.satisfaction = 2
        b.reopenCount = 1
        b.flags = [.reopened]
        var c = RecordsFixture.ticket(3, at: "2026-11-04T02:00:00Z", category: .staffConduct, severity: .major, intent: .complaint,
                                      location: nil, firstResponder: "liu_yang", firstResponse: 40, resolved: 100, state: .closed(.unconfirmed),
                                      text: "保安<态度>很差, \"不理人\"")
        c.conductSubject = "wu_hao"
        c.flags = [.conduct, .overdue, .unconfirmed]
        var d = RecordsFixture.ticket(4, at: "2026-11-05T02:00:00Z", firstResponse: 5, state: .accepted(waitingFor: nil))
        d.repeatCount = 1
        let e = RecordsFixture.ticket(5, at: "2026-11-20T02:00:00Z", category: .elevator,
                                      location: Location(building: "2", room: "1203"), firstResponder: "liu_yang")
        return [a, b, c, d, e]
    }

    @Test("counts, times, deadlines, satisfaction and reopen rate over the tickets opened in the month")
    func figures() {
        let report = RecordsFixture.report(Self.november())
        #expect(report.tickets == 5 && report.open == 2 && report.closed == 3)
        #expect(report.byCategory.map(\.0) == [.plumbing, .elevator, .staffConduct])  // ties in declaration order
        #expect(report.byCategory.map(\.1) == [3, 1, 1])
        #expect(report.bySeverity.map(\.1) == [0, 1, 4])  // emergency, major, general
        #expect(report.byIntent.map(\.0) == [.repair, .complaint])
        // First responses 10, 20, 40, 5 minutes: median 15, p90 = 20 + 0.7 × 20 = 34.
        #expect(report.firstResponse.count == 4)
        #expect(close(report.firstResponse.median, 15 * 60))
        #expect(close(report.firstResponse.p90, 34 * 60))
        #expect(close(report.resolution.median, 30 * 3600))
        // Due 30 min: 10, 20, 5 met, 40 missed; #5 never answered and past due by asOf → missed.
        #expect(report.firstResponseDeadline == .init(met: 3, decided: 5))
        // Due 72 h: 5 h and 30 h met, 100 h missed; #4 and #5 open and past due → missed.
        #expect(report.resolutionDeadline == .init(met: 2, decided: 5))
        #expect(report.satisfaction.rated == 2 && report.satisfaction.mean == 3.5)
        #expect(report.satisfaction.distribution == [0, 1, 0, 0, 1])
        #expect(report.reopened == 1)
    }

    @Test("deadlines not yet due are left out of the rate")
    func pendingDeadlines() {
        let fresh = RecordsFixture.ticket(1, at: "2026-11-30T15:00:00Z")
        let report = RecordsFixture.report([fresh], asOf: "2026-11-30T15:10:00Z")
        #expect(report.firstResponseDeadline == .init(met: 0, decided: 0))
        #expect(report.firstResponseDeadline.rate == nil)
    }

    @Test("a row per first responder, conduct complaints listed, repeat places found")
    func tablesOfPeopleAndPlaces() {
        let report = RecordsFixture.report(Self.november())
        #expect(report.responders.map(\.staffID) == ["wang_fang", "liu_yang"])
        let wang = report.responders[0]
        #expect(wang.name == "王芳" && wang.tickets == 3 && close(wang.medianFirstResponse, 10 * 60) && wang.reopened == 1)
        #expect(wang.meanSatisfaction == 3.5 && wang.rated == 2)
        let liu = report.responders[1]
        #expect(liu.tickets == 2 && liu.overdue == 1 && close(liu.medianResolution, 100 * 3600))
        #expect(report.conduct.map(\.ref) == ["T0003"])
        #expect(report.conduct.first?.subjectName == "吴浩")
        #expect(report.repeatedPlaces.count == 1)
        #expect(report.repeatedPlaces.first?.place == "3-2-501")
        #expect(report.repeatedPlaces.first?.refs == ["T0001", "T0002", "T0004"])
        #expect(report.repeatedPlaces.first?.repeatReports == 1)
        // One ticket with repeat reports is enough on its own.
        let single = RecordsFixture.report([{ var t = RecordsFixture.ticket(9, at: "2026-11-09T02:00:00Z"); t.repeatCount = 2; return t }()])
        #expect(single.repeatedPlaces.map(\.refs) == [["T0009"]])
    }

    @Test("patrol summary counts the month's duty log")
    func patrols() {
        let log = [
            DutyLogEntry(at: RecordsFixture.date("2026-11-02T01:00:00Z"), staffID: "wu_hao", kind: .checkIn),
            DutyLogEntry(at: RecordsFixture.date("2026-11-02T02:00:00Z"), staffID: "wu_hao", kind: .patrol, place: "水泵房", text: "正常"),
            DutyLogEntry(at: RecordsFixture.date("2026-11-02T03:00:00Z"), staffID: "wu_hao", kind: .patrol, place: "水泵房",
                         text: "漏水", abnormal: true, ticketRef: "T0007"),
            DutyLogEntry(at: RecordsFixture.date("2026-11-02T04:00:00Z"), staffID: "wu_hao", kind: .patrol, place: "车库", text: "正常"),
            DutyLogEntry(at: RecordsFixture.date("2026-11-03T00:20:00Z"), staffID: "zhang_wei", kind: .missedCheckIn, text: "08:00"),
            DutyLogEntry(at: RecordsFixture.date("2026-12-03T00:20:00Z"), staffID: "zhang_wei", kind: .patrol, place: "车库", text: "正常"),
        ]
        let patrol = RecordsFixture.report([], dutyLog: log).patrol
        #expect(patrol.patrols == 3 && patrol.abnormal == 1 && patrol.places == 2 && patrol.checkIns == 1 && patrol.missedCheckIns == 1)
        #expect(patrol.findings.map(\.kind) == [.patrol, .missedCheckIn])
    }

    @Test("the callback list holds every major, unconfirmed, low-rated and reopened ticket with the full contact")
    func callbackReasons() {
        let report = RecordsFixture.report(Self.november())
        #expect(report.callbacks.map(\.ref) == ["T0002", "T0003"])
        #expect(report.callbacks[0].reasons == [.lowRating, .reopened])
        #expect(report.callbacks[1].reasons == [.major, .unconfirmed])
        #expect(report.callbacks[1].contact == "+8613900000003")
        #expect(report.callbacks[1].firstResponderName == "刘洋")
    }

    @Test("the routine sample is ceil(share × n) of the other closed tickets, the same for the same seed in any order")
    func callbackSampleIsDeterministic() {
        var tickets: [Ticket] = []
        for number in 1...40 {
            var ticket = RecordsFixture.ticket(number, at: "2026-11-10T02:00:00Z", firstResponse: 5, resolved: 2, state: .closed(.confirmed))
            ticket.satisfaction = 4
            tickets.append(ticket)
        }
        tickets.append(RecordsFixture.ticket(41, at: "2026-11-10T02:00:00Z"))  // open: never sampled
        let first = RecordsFixture.report(tickets, sample: 0.1, seed: 7).callbacks
        let again = RecordsFixture.report(tickets.reversed(), sample: 0.1, seed: 7).callbacks
        #expect(first.count == 4)
        #expect(first == again)
        #expect(first.allSatisfy { $0.reasons == [.sample] && $0.ref != "T0041" })
        let other = RecordsFixture.report(tickets, sample: 0.1, seed: 8).callbacks
        #expect(other.count == 4 && other.map(\.ref) != first.map(\.ref))
        #expect(RecordsFixture.report(tickets, sample: 0, seed: 7).callbacks.isEmpty)
        #expect(RecordsFixture.report(tickets, sample: 1, seed: 7).callbacks.count == 40)
        // Adding a ticket does not reshuffle: the old draw's keys are unchanged.
        #expect(CallbackSampler.draw(["T1", "T2", "T3"], share: 0.34, seed: 3) == CallbackSampler.draw(["T3", "T2", "T1"], share: 0.34, seed: 3))
    }

    @Test("Markdown, CSV and HTML carry the tables; user text is escaped in HTML and quoted in CSV")
    func renderers() {
        var tickets = Self.november()
        tickets[2].text = "保安<script>alert(1)</script>态度差，\"不理人\",\n还骂人"
        let report = RecordsFixture.report(tickets)
        let rendering = MonthlyReportRendering(vocabulary: RecordsFixture.vocabulary())

        let markdown = rendering.markdown(report)
        #expect(markdown.contains("# 投诉报事月度汇总 2026-11"))
        #expect(markdown.contains("| 漏水/给排水 | 3 | 60.0% |"))
        #expect(markdown.contains("+8613900000003"))

        let html = rendering.html(report)
        #expect(!html.contains("<script>"))
        #expect(html.contains("保安&lt;script&gt;alert(1)&lt;/script&gt;态度差，&quot;不理人&quot;,<br>还骂人"))
        #expect(html.contains("<svg") && html.contains("<rect"))
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.contains("<link") && !html.contains("src=") && !html.contains("href="))

        let csv = rendering.summaryCSV(report)
        #expect(csv.contains("\"保安<script>alert(1)</script>态度差，\"\"不理人\"\",\n还骂人\""))
        let callbacks = rendering.callbacksCSV(report)
        let rows = CSVReader.parse(callbacks)
        #expect(rows.count == 3)
        #expect(rows[2][0] == "T0003" && rows[2][1] == "+8613900000003")
        #expect(rows.allSatisfy { $0.count == rows[0].count })
        // The summary's conduct row comes back whole, line break and quotes included.
        let conduct = CSVReader.parse(csv).first { $0.first == "T0003" }
        #expect(conduct?.last == "保安<script>alert(1)</script>态度差，\"不理人\",\n还骂人")
    }

    @Test("SVG chart labels are escaped too")
    func chartLabels() {
        let report = RecordsFixture.report(Self.november())
        var templates = RecordsFixture.templates.texts
        templates[.en]?["category.plumbing"] = "pipes & <drains>"
        let rendering = MonthlyReportRendering(vocabulary: RecordVocabulary(templates: Templates(templates), locale: .en))
        let html = rendering.html(report)
        #expect(html.contains("pipes &amp; &lt;drains&gt;"))
        #expect(!html.contains("<drains>"))
    }
}

/// A strict RFC 4180 reader for checking what the CSV writer produced.
enum CSVReader {
    static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var characters = Array(text)[...]
        while let character = characters.popFirst() {
            if quoted {
                if character == "\"" {
                    if characters.first == "\"" { field.append("\""); characters.removeFirst() } else { quoted = false }
                } else {
                    field.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                row.append(field); field = ""
            } else if character == "\r\n" || character == "\n" {
                row.append(field); field = ""
                if row != [""] { rows.append(row) }
                row = []
            } else {
                field.append(character)
            }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}

@Suite("Records: ticket record")
struct TicketRecordTests {
    static func conversation() -> (Ticket, [TicketEvent]) {
        var ticket = RecordsFixture.ticket(42, at: "2026-11-03T06:00:00Z", firstResponse: 45, resolved: 3, state: .closed(.confirmed),
                                           text: "厨房漏水 <很急> & \"马上\"", resident: "+8613812345678")
        ticket.satisfaction = 4
        ticket.opinion = "修好了，谢谢"
        ticket.closedAt = RecordsFixture.date("2026-11-03T10:00:00Z")
        ticket.promisedReplyAt = RecordsFixture.date("2026-11-03T10:00:00Z")
        ticket.transferCount = 1
        ticket.departments = [.service, .engineering]
        let t = { (minutes: Double) in RecordsFixture.date("2026-11-03T06:00:00Z").addingTimeInterval(minutes * 60) }
        let events = [
            TicketEvent(ticketRef: "T0042", at: t(0), actor: "resident", kind: .opened, text: ticket.text, channel: "sms"),
            TicketEvent(ticketRef: "T0042", at: t(0), actor: "system", kind: .assigned, text: "first responder wang_fang, handler liu_yang"),
            TicketEvent(ticketRef: "T0042", at: t(45), actor: "liu_yang", kind: .transferred, text: "to engineering", channel: "sms"),
            TicketEvent(ticketRef: "T0042", at: t(60), actor: "zhang_wei", kind: .staffReply, text: "师傅10分钟后到，回电+8613812345678", channel: "sms"),
            TicketEvent(ticketRef: "T0042", at: t(180), actor: "zhang_wei", kind: .resolved, text: "已更换水管接头", channel: "sms"),
            TicketEvent(ticketRef: "T0042", at: t(240), actor: "resident", kind: .confirmed, text: "修好了，谢谢", channel: "sms"),
        ]
        return (ticket, events.reversed())  // the builder orders them
    }

    @Test("the record orders the timeline and judges each deadline")
    func builder() {
        let (ticket, events) = Self.conversation()
        let record = TicketRecord.build(ticket: ticket, events: events, roster: RecordsFixture.roster,
                                        asOf: RecordsFixture.date("2026-11-04T00:00:00Z"))
        #expect(record.steps.map(\.kind) == [.assigned, .opened, .transferred, .staffReply, .resolved, .confirmed]
            || record.steps.map(\.kind) == [.opened, .assigned, .transferred, .staffReply, .resolved, .confirmed])
        #expect(record.steps.map(\.at) == record.steps.map(\.at).sorted())
        #expect(record.firstResponderName == "王芳" && record.handlerName == "张伟")
        #expect(record.resolution == "已更换水管接头")
        #expect(record.deadlines.map(\.outcome) == [.missed, .met, .met])  // 45 min > 30 min; reply at 60 min; done in 3 h
        #expect(record.handovers.map(\.kind) == [.transferred])
    }

    @Test("plain text masks the resident's number everywhere unless asked, and shows the five parts")
    func text() {
        let (ticket, events) = Self.conversation()
        let record = TicketRecord.build(ticket: ticket, events: events, roster: RecordsFixture.roster,
                                        asOf: RecordsFixture.date("2026-11-04T00:00:00Z"))
        let masked = TicketRecordRendering(vocabulary: RecordsFixture.vocabulary()).text(record)
        #expect(!masked.contains("+8613812345678"))
        #expect(masked.contains("+86138****5678"))
        for heading in ["事项", "过程", "结果", "住户意见", "时限", "首问责任人", "王芳 (wang_fang)", "2026-11-03 14:00", "修好了，谢谢",
                        "客服中心 → 工程部", "超时", "已更换水管接头"] {
            #expect(masked.contains(heading), "\(heading)")
        }
        let full = TicketRecordRendering(vocabulary: RecordsFixture.vocabulary(.en), showContact: true).text(record)
        #expect(full.contains("+8613812345678 (sms)"))
        #expect(full.contains("Resident's opinion"))
    }

    @Test("HTML is one escaped, self-contained page")
    func html() {
        let (ticket, events) = Self.conversation()
        let record = TicketRecord.build(ticket: ticket, events: events, roster: RecordsFixture.roster,
                                        asOf: RecordsFixture.date("2026-11-04T00:00:00Z"))
        let html = TicketRecordRendering(vocabulary: RecordsFixture.vocabulary()).html(record)
        #expect(html.contains("厨房漏水 &lt;很急&gt; &amp; &quot;马上&quot;"))
        #expect(!html.contains("<很急>"))
        #expect(!html.contains("+8613812345678"))
        #expect(html.contains("<style>") && html.contains("@media print"))
        #expect(!html.contains("<script") && !html.contains("<link"))
    }
}

@Suite("Records: every locale")
struct RecordLocaleTests {
    @Test("no label key shows through untranslated in any locale, for every event kind, flag and reason")
    func everyLabelTranslated() {
        var (ticket, events) = TicketRecordTests.conversation()
        ticket.flags = Set(Ticket.Flag.allCases)
        ticket.source = .written
        ticket.register = "SW-2026-011"
        ticket.writtenReplyAt = RecordsFixture.date("2026-11-05T02:00:00Z")
        ticket.conductSubject = "wu_hao"
        let kinds: [TicketEvent.Kind] = [.opened, .residentMessage, .assigned, .accepted, .staffReply, .note, .resolved, .closed,
                                         .repeatReport, .question, .clarified, .promised, .transferred, .escalated, .reminded,
                                         .flagged, .paged, .confirmed, .reopened, .callback, .writtenReply, .corrected]
        events += kinds.map { TicketEvent(ticketRef: "T0042", at: RecordsFixture.date("2026-11-04T02:00:00Z"), actor: "system", kind: $0, text: "x") }
        let record = TicketRecord.build(ticket: ticket, events: events, roster: RecordsFixture.roster,
                                        asOf: RecordsFixture.date("2026-11-06T00:00:00Z"))
        var tickets = MonthlyReportTests.november()
        tickets[0].severity = .emergency
        let log = [DutyLogEntry(at: RecordsFixture.date("2026-11-02T03:00:00Z"), staffID: "wu_hao", kind: .patrol, place: "水泵房",
                                text: "漏水", abnormal: true, ticketRef: "T0007")]
        let report = RecordsFixture.report(tickets, dutyLog: log, sample: 1)
        for locale in ReplyLocale.allCases {
            let vocabulary = RecordsFixture.vocabulary(locale)
            let rendering = TicketRecordRendering(vocabulary: vocabulary)
            let monthly = MonthlyReportRendering(vocabulary: vocabulary)
            for output in [rendering.text(record), rendering.html(record), monthly.markdown(report), monthly.html(report)] {
                for prefix in ["record.", "report.", "kind.", "flag.", "reason.", "status.", "source.", "intent.", "close.", "outcome.",
                               "deadline.", "actor.", "category.", "department.", "severity."] {
                    #expect(!output.contains(prefix), "\(locale.rawValue): \(prefix)")
                }
            }
        }
        let text = TicketRecordRendering(vocabulary: RecordsFixture.vocabulary()).text(record)
        #expect(text.contains("SW-2026-011") && text.contains("书面答复") && text.contains("被投诉人"))
    }
}

@Suite("Records: commands on a SQLite store")
struct RecordsCommandTests {
    @Test("tickets show prints the record, exits 1 for an unknown ref; report monthly writes every format")
    func commands() async throws {
        let folder = try RepositoryFiles.temporaryFolder("records")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let config = try writeGatewayConfig(in: folder, inboxPort: 9, channelOptions: "poll_interval: 1")
        let store = try SQLiteStore(path: folder + "/firstask.sqlite")
        try await store.replaceRoster(RecordsFixture.roster)
        let (ticket, events) = TicketRecordTests.conversation()
        try await store.write { tx in
            try tx.insertTicket(ticket)
            for event in events.reversed() { try tx.appendEvent(event) }
        }

        func run(_ arguments: [String]) async throws -> (status: Int32?, output: String) {
            let log = folder + "/out-\(UUID().uuidString).txt"
            let process = try launch(arguments, log: log)
            let status = try await waitForExit(process, timeout: .seconds(60))
            return (status, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
        }

        let shown = try await run(["tickets", "show", "t0042", "--config", config])
        #expect(shown.status == 0)
        #expect(shown.output.contains("T0042") && shown.output.contains("+86138****5678") && shown.output.contains("已更换水管接头"))

        let missing = try await run(["tickets", "show", "T9999", "--config", config])
        #expect(missing.status == 1)
        #expect(missing.output.contains("no ticket T9999"))

        let listed = try await run(["tickets", "list", "--status", "closed", "--config", config])
        #expect(listed.status == 0 && listed.output.contains("T0042  closed  "))

        let out = folder + "/reports"
        let report = try await run(["report", "monthly", "--month", "2026-11", "--config", config, "--output", out])
        #expect(report.status == 0)
        for name in ["report-2026-11.md", "report-2026-11.csv", "report-2026-11-callbacks.csv", "report-2026-11.html"] {
            #expect(FileManager.default.fileExists(atPath: "\(out)/\(name)"), "\(name)")
        }
        let markdown = try String(contentsOfFile: out + "/report-2026-11.md", encoding: .utf8)
        #expect(markdown.contains("| 1 | 0 | 1 |"))  // one ticket, none open, one closed
    }
}
