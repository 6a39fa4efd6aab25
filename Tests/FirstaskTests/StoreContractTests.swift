import FirstaskClassifier
import FirstaskDesk
import FirstaskSQLite
import FirstaskTesting
import Foundation
import Testing

/// The contract every `Store` must keep. Each test runs against every implementation; a new store
/// (PostgreSQL) joins by adding a case to `StoreKind`.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible {
    case memory, sqlite

    var testDescription: String { rawValue }

    func make() throws -> (store: any Store, folder: String?) {
        switch self {
        case .memory:
            return (InMemoryStore(), nil)
        case .sqlite:
            let folder = try RepositoryFiles.temporaryFolder("store-contract")
            return (try SQLiteStore(path: folder + "/test.sqlite"), folder)
        }
    }
}

func withStore(_ kind: StoreKind, _ body: (any Store) async throws -> Void) async throws {
    let (store, folder) = try kind.make()
    defer { if let folder { try? FileManager.default.removeItem(atPath: folder) } }
    try await body(store)
}

func message(_ id: String, from: String = "+8613900000001", text: String = "3栋2单元501 厨房漏水") -> InboundMessage {
    InboundMessage(channel: "sms", providerID: id, from: from, text: text, receivedAt: Date(timeIntervalSince1970: 1_800_000_000))
}

func sampleTicket(ref: String, resident: String = "+8613900000001", handler: String = "zhang_wei", at: Double = 0) -> Ticket {
    Ticket(ref: ref, intent: .repair, category: .plumbing, department: .engineering, severity: .general,
           location: Location(building: "3", unit: "2", room: "501"), resident: resident, channel: "sms", locale: .zhHans,
           text: "厨房漏水", firstResponder: "wang_fang", handler: handler, rulesVersion: "abc",
           createdAt: Date(timeIntervalSince1970: 1_800_000_000 + at))
}

func outboxRow(_ id: String, due: Double = 0) -> OutboundMessage {
    OutboundMessage(id: id, channel: "sms", to: "+8613900000001", text: "您好", ticketRef: nil,
                    nextAttemptAt: Date(timeIntervalSince1970: 1_800_000_000 + due),
                    createdAt: Date(timeIntervalSince1970: 1_800_000_000))
}

@Suite("Store contract")
struct StoreContractTests {
    @Test("a message is stored once per channel and provider id; the count says how many were new", arguments: StoreKind.allCases)
    func storesEachMessageOnce(kind: StoreKind) async throws {
        try await withStore(kind) { (store: any Store) async throws in
            #expect(try await store.storeInbound(InboundBatch(channel: "sms", messages: [message("a"), message("b")], cursor: "2")) == 2)
            #expect(try await store.storeInbound(InboundBatch(channel: "sms", messages: [message("b"), message("c")], cursor: "3")) == 1)
            #expect(try await store.inboundCount() == 3)
            // The same provider id on another channel is another message.
            #expect(try await store.storeInbound(InboundBatch(channel: "other", messages: [message("a")], cursor: nil)) == 1)
        }
    }

    @Test("the cursor is stored with its batch; a batch without a cursor keeps the old one", arguments: StoreKind.allCases)
    func cursorTravelsWithBatch(kind: StoreKind) async throws {
        try await withStore(kind) { (store: any Store) async throws in
            #expect(try await store.cursor(channel: "sms") == nil)
            _ = try await store.storeInbound(InboundBatch(channel: "sms", messages: [message("a")], cursor: "7"))
            #expect(try await store.cursor(channel: "sms") == "7")
            _ = try await store.storeInbound(InboundBatch(channel: "sms", messages: [message("b")], cursor: nil))
            #expect(try await store.cursor(channel: "sms") == "7")
            _ = try await store.storeInbound(InboundBatch(channel: "sms", messages: [], cursor: "9"))
            #expect(try await store.cursor(channel: "sms") == "9")
            #expect(try await store.cursor(channel: "other") == nil)
        }
    }

    @Test("rejected items are recorded with their reason", arguments: StoreKind.allCases)
    func recordsRejected(kind: StoreKind) async throws {
        try await withStore(kind) { (store: any Store) async throws in
            let bad = RejectedInbound(channel: "sms", raw: "{\"id\":1}", reason: "message 1 has no sender (from)", receivedAt: Date())
            _ = try await store.storeInbound(InboundBatch(channel: "sms", messages: [], rejected: [bad], cursor: "1"))
            let rejected = try await store.rejectedInbound()
            #expect(rejected.map(\.reason) == ["message 1 has no sender (from)"])
        }
    }

    @Test("pending inbound comes oldest first and leaves once marked processed, up to an id", arguments: StoreKind.allCases)
    func pendingInbound(kind: StoreKind) async throws {
        try await withStore(kind) { (store: any Store) async throws in
            _ = try await store.storeInbound(InboundBatch(channel: "sms", messages: [message("a"), message("b"), message("c")], cursor: nil))
            let first = try await store.write { tx in try tx.pendingInbound(limit: 2) }
            #expect(first.map(\.providerID) == ["a", "b"])
            #expect(first.allSatisfy { $0.id != nil && $0.channel == "sms" })
            try await store.write { tx in try tx.markProcessed(through: first[0].id!) }
            let rest = try await store.write { tx in try tx.pendingInbound(limit: 10) }
            #expect(rest.map(\.providerID) == ["b", "c"])
            #expect(try await store.pendingInbound(limit: 10) == rest)
            try await store.write { tx in try tx.markProcessed(through: rest[1].id!) }
            #expect(try await store.pendingInbound(limit: 10).isEmpty)
        }
    }

    @Test("a write that throws leaves nothing behind", arguments: StoreKind.allCases)
    func writeRollsBack(kind: StoreKind) async throws {
        struct Boom: Error {}
        try await withStore(kind) { (store: any Store) async throws in
            await #expect(throws: Boom.self) {
                try await store.write { tx in
                    _ = try tx.nextTicketNumber()
                    try tx.insertTicket(sampleTicket(ref: "T0001"))
                    try tx.enqueue(outboxRow("o1"))
                    throw Boom()
                }
            }
            #expect(try await store.tickets(.all).isEmpty)
            #expect(try await store.outbound(status: nil).isEmpty)
            #expect(try await store.write { tx in try tx.nextTicketNumber() } == 1)
        }
    }

    @Test("ticket numbers keep rising across transactions", arguments: StoreKind.allCases)
    func ticketNumbers(kind: StoreKind) async throws {
        try await withStore(kind) { (store: any Store) async throws in
            var numbers: [Int] = []
            for _ in 0..<3 { numbers.append(try await store.write { tx in try tx.nextTicketNumber() }) }
            #expect(numbers == [1, 2, 3])
        }
    }

    @Test("tickets round-trip with their timeline, and open tickets are found by resident and handler", arguments: StoreKind.allCases)
    func ticketsAndEvents(kind: StoreKind) async throws {
        try await withStore(kind) { (store: any Store) async throws in
            try await store.write { tx in
                try tx.insertTicket(sampleTicket(ref: "T0001", at: 0))
                try tx.insertTicket(sampleTicket(ref: "T0002", resident: "+8613900000002", at: 1))
                var closed = sampleTicket(ref: "T0003", at: 2)
                closed.lifecycle = TicketLifecycle(.closed(.confirmed))
                closed.closedAt = Date(timeIntervalSince1970: 1_800_000_100)
                try tx.insertTicket(closed)
                try tx.appendEvent(TicketEvent(ticketRef: "T0001", at: Date(timeIntervalSince1970: 1_800_000_000), actor: "resident",
                                               kind: .opened, text: "厨房漏水", channel: "sms"))
                try tx.appendEvent(TicketEvent(ticketRef: "T0001", at: Date(timeIntervalSince1970: 1_800_000_060), actor: "zhang_wei",
                                               kind: .accepted, text: ""))
            }
            let open = try await store.write { tx in try tx.openTickets(resident: "+8613900000001") }
            #expect(open.map(\.ref) == ["T0001"])
            #expect(try await store.write { tx in try tx.openTicketCount(handler: "zhang_wei") } == 2)
            #expect(try await store.tickets(.open).map(\.ref) == ["T0001", "T0002"])
            #expect(try await store.tickets(.closed).map(\.ref) == ["T0003"])
            #expect(try await store.tickets(.all).count == 3)

            let found = try #require(try await store.ticket(ref: "T0001"))
            #expect(found.ticket == sampleTicket(ref: "T0001", at: 0))
            #expect(found.events.map(\.kind) == [.opened, .accepted])
            #expect(found.events.first?.channel == "sms")
            #expect(try await store.ticket(ref: "T9999") == nil)

            var updated = found.ticket
            updated.lifecycle = TicketLifecycle(.resolved)
            updated.handler = "li_qiang"
            updated.resolvedAt = Date(timeIntervalSince1970: 1_800_000_500)
            updated.satisfaction = 5
            let change = updated
            try await store.write { tx in try tx.updateTicket(change) }
            #expect(try await store.ticket(ref: "T0001")?.ticket == updated)
        }
    }

    @Test("every desk field of a ticket round-trips: flags, history, deadlines, escalations, written complaint", arguments: StoreKind.allCases)
    func ticketDetailsRoundTrip(kind: StoreKind) async throws {
        try await withStore(kind) { (store: any Store) async throws in
            var ticket = sampleTicket(ref: "T0001")
            let at = Date(timeIntervalSince1970: 1_800_000_600)
            ticket.lifecycle = TicketLifecycle(.resolved)
            ticket.source = .written
            ticket.flags = [.repeated, .buckPassing, .overdue]
            ticket.departments = [.engineering, .security, .engineering]
            ticket.transferCount = 2
            ticket.reopenCount = 1
            ticket.repeatCount = 3
            ticket.coReporters = [Ticket.Reporter(address: "+8613900000002", channel: "sms", locale: .en)]
            ticket.helpers = ["wu_hao"]
            ticket.conductSubject = "wang_fang"
            ticket.firstResponseDueAt = at
            ticket.resolutionDueAt = at.addingTimeInterval(60)
            ticket.lastReplyAt = at.addingTimeInterval(120)
            ticket.promiseMadeAt = at.addingTimeInterval(180)
            ticket.escalations = [.firstResponse: 2, .resolution: 1]
            ticket.nextCheckAt = at.addingTimeInterval(240)
            ticket.register = "SM-2026-031"
            ticket.writtenReplyAt = at.addingTimeInterval(300)
            ticket.opinion = "还行，4分"
            ticket.satisfaction = 4
            try await store.write { [ticket] tx in try tx.insertTicket(ticket) }
            #expect(try await store.ticket(ref: "T0001")?.ticket == ticket)
            ticket.flags.insert(.reopened)
            ticket.escalations[.reply] = 3
            try await store.write { [ticket] tx in try tx.updateTicket(ticket) }
            #expect(try await store.ticket(ref: "T0001")?.ticket == ticket)
            // Every lifecycle state is stored as its columns and read back as itself.
            let states: [TicketLifecycle.State] = [.open(waitingFor: .location), .accepted(waitingFor: .details), .resolved]
                + Ticket.CloseReason.allCases.map { TicketLifecycle.State.closed($0) }
            for state in states {
                ticket.lifecycle = TicketLifecycle(state)
                try await store.write { [ticket] tx in try tx.updateTicket(ticket) }
                #expect(try await store.ticket(ref: "T0001")?.ticket.lifecycle.state == state)
            }
            #expect(try await store.write { tx in try tx.ticket(register: "SM-2026-031")?.ref } == "T0001")
            #expect(try await store.write { tx in try tx.ticket(register: "SM-404")?.ref } == nil)
        }
    }

    @Test("the desk's queries: due tickets by timer, open tickets by place and by staff, timelines", arguments: StoreKind.allCases)
    func deskQueries(kind: StoreKind) async throws {
        try await withStore(kind) { (store: any Store) async throws in
            let base = Date(timeIntervalSince1970: 1_800_000_000)
            try await store.write { tx in
                var due = sampleTicket(ref: "T0001", handler: "zhang_wei")
                due.nextCheckAt = base.addingTimeInterval(100)
                var later = sampleTicket(ref: "T0002", handler: "li_qiang", at: 10)
                later.nextCheckAt = base.addingTimeInterval(10_000)
                later.location = Location(building: "5")
                var closed = sampleTicket(ref: "T0003", at: 20)
                closed.lifecycle = TicketLifecycle(.closed(.confirmed))
                closed.nextCheckAt = base
                // A patrol finding: its location is the place the patrol named.
                var patrol = sampleTicket(ref: "T0004", handler: "he_xia", at: 30)
                patrol.firstResponder = "wu_hao"
                patrol.location = Location(place: "水泵房")
                for ticket in [due, later, closed, patrol] { try tx.insertTicket(ticket) }
                try tx.appendEvent(TicketEvent(ticketRef: "T0001", at: base, actor: "resident", kind: .opened, text: "漏水"))
                try tx.appendEvent(TicketEvent(ticketRef: "T0001", at: base, actor: "zhang_wei", kind: .note, text: "看过了", channel: "sms"))
            }
            let found = try await store.write { tx in
                (
                    due: try tx.ticketsDue(at: base.addingTimeInterval(200), limit: 10).map(\.ref),
                    place: try tx.openTickets(category: .plumbing, location: Location(building: "3", unit: "2", room: "501"),
                                              since: base).map(\.ref),
                    placeLater: try tx.openTickets(category: .plumbing, location: Location(building: "3", unit: "2", room: "501"),
                                                   since: base.addingTimeInterval(1)).map(\.ref),
                    namedPlace: try tx.openTickets(category: .plumbing, location: Location(place: "水泵房"), since: base).map(\.ref),
                    staff: try tx.openTickets(staff: "wang_fang").map(\.ref),
                    handler: try tx.openTickets(staff: "li_qiang").map(\.ref),
                    events: try tx.events(ref: "T0001").map(\.kind)
                )
            }
            #expect(found.due == ["T0001"])
            #expect(found.place == ["T0001"])
            #expect(found.placeLater.isEmpty)
            #expect(found.namedPlace == ["T0004"])
            #expect(try await store.ticket(ref: "T0004")?.ticket.location == Location(place: "水泵房"))
            #expect(found.staff == ["T0001", "T0002"])
            #expect(found.handler == ["T0002"])
            #expect(found.events == [.opened, .note])
        }
    }

    @Test("the duty log and pending choices are kept and read back", arguments: StoreKind.allCases)
    func dutyLogAndChoices(kind: StoreKind) async throws {
        try await withStore(kind) { (store: any Store) async throws in
            let base = Date(timeIntervalSince1970: 1_800_000_000)
            let entries = [
                DutyLogEntry(at: base, staffID: "wu_hao", kind: .checkIn),
                DutyLogEntry(at: base.addingTimeInterval(60), staffID: "wu_hao", kind: .patrol, place: "水泵房", text: "积水",
                             abnormal: true, ticketRef: "T0009"),
                DutyLogEntry(at: base.addingTimeInterval(120), staffID: "wu_hao", kind: .handover, text: "注意水泵房"),
            ]
            let choice = PendingChoice(text: "还没人来", channel: "sms", at: base, refs: ["T0001", "T0002"])
            try await store.write { tx in
                for entry in entries { try tx.appendDutyLog(entry) }
                try tx.setPendingChoice(choice, resident: "+8613900000001")
            }
            #expect(try await store.dutyLog(from: base, to: base.addingTimeInterval(121)) == entries)
            #expect(try await store.dutyLog(from: base.addingTimeInterval(1), to: base.addingTimeInterval(120)) == [entries[1]])
            #expect(try await store.write { tx in try tx.dutyLog(since: base.addingTimeInterval(60)) } == Array(entries[1...]))
            #expect(try await store.write { tx in try tx.pendingChoice(resident: "+8613900000001") } == choice)
            try await store.write { tx in try tx.setPendingChoice(nil, resident: "+8613900000001") }
            #expect(try await store.write { tx in try tx.pendingChoice(resident: "+8613900000001") } == nil)
        }
    }

    @Test("an outbox row is enqueued once, due when its time comes, and marked sent only once", arguments: StoreKind.allCases)
    func outboxLifecycle(kind: StoreKind) async throws {
        try await withStore(kind) { (store: any Store) async throws in
            try await store.write { tx in
                try tx.enqueue(outboxRow("o1", due: 0))
                try tx.enqueue(outboxRow("o1", due: 0))  // the same id again is ignored
                try tx.enqueue(outboxRow("o2", due: 60))
            }
            #expect(try await store.outbound(status: nil).count == 2)
            let now = Date(timeIntervalSince1970: 1_800_000_010)
            #expect(try await store.dueOutbound(now: now, limit: 10).map(\.id) == ["o1"])
            #expect(try await store.nextOutboundDue() == Date(timeIntervalSince1970: 1_800_000_000))

            try await store.recordDeliveries([
                DeliveryOutcome(id: "o1", result: .sent, at: now),
                DeliveryOutcome(id: "o2", result: .retry(at: Date(timeIntervalSince1970: 1_800_000_120), error: "HTTP 500"), at: now),
            ])
            // A late second outcome for a row already sent changes nothing.
            try await store.recordDeliveries([DeliveryOutcome(id: "o1", result: .dead(error: "late"), at: now)])
            let sent = try await store.outbound(status: .sent)
            #expect(sent.map(\.id) == ["o1"])
            #expect(sent.first?.attempts == 1)
            #expect(sent.first?.sentAt == now)
            let pending = try await store.outbound(status: .pending)
            #expect(pending.first?.attempts == 1)
            #expect(pending.first?.lastError == "HTTP 500")
            #expect(try await store.dueOutbound(now: Date(timeIntervalSince1970: 1_800_000_100), limit: 10).isEmpty)
            #expect(try await store.dueOutbound(now: Date(timeIntervalSince1970: 1_800_000_120), limit: 10).map(\.id) == ["o2"])

            try await store.recordDeliveries([DeliveryOutcome(id: "o2", result: .dead(error: "HTTP 400"), at: now)])
            #expect(try await store.outbound(status: .dead).map(\.lastError) == ["HTTP 400"])
            #expect(try await store.nextOutboundDue() == nil)
        }
    }

    @Test("the outbox backlog counts pending rows per channel with the oldest one's age; sent rows leave it; a fresh store is ready",
          arguments: StoreKind.allCases)
    func outboxBacklog(kind: StoreKind) async throws {
        try await withStore(kind) { (store: any Store) async throws in
            try await store.checkReady()
            #expect(try await store.outboxBacklog().isEmpty)
            var early = outboxRow("w1")
            early.channel = "wecom"
            early.createdAt = Date(timeIntervalSince1970: 1_799_999_000)
            var late = outboxRow("w2")
            late.channel = "wecom"
            let wecom = [late, early]
            try await store.write { tx in
                try tx.enqueue(outboxRow("o1"))
                try tx.enqueue(outboxRow("o2"))
                for row in wecom { try tx.enqueue(row) }
            }
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            #expect(try await store.outboxBacklog() == [
                OutboxBacklog(channel: "sms", pending: 2, oldestCreatedAt: start),
                OutboxBacklog(channel: "wecom", pending: 2, oldestCreatedAt: Date(timeIntervalSince1970: 1_799_999_000)),
            ])
            try await store.recordDeliveries([
                DeliveryOutcome(id: "o1", result: .sent, at: start), DeliveryOutcome(id: "o2", result: .dead(error: "x"), at: start),
            ])
            #expect(try await store.outboxBacklog().map(\.channel) == ["wecom"])
        }
    }

    @Test("the roster round-trips, shifts and time zone included", arguments: StoreKind.allCases)
    func rosterRoundTrip(kind: StoreKind) async throws {
        try await withStore(kind) { (store: any Store) async throws in
            let roster = Roster(
                timeZone: TimeZone(identifier: "Asia/Hong_Kong")!,
                staff: [Staff(id: "a", name: "甲", address: "+85290000001", department: .service),
                        Staff(id: "b", name: "B", address: "+85290000002", department: .engineering, role: .head, locale: .en, channel: "tg")],
                shifts: [Shift(staffID: "a", department: .service, start: 20 * 60, end: 8 * 60, days: [2, 3])])
            try await store.replaceRoster(roster)
            #expect(try await store.roster() == roster)
            #expect(try await store.write { tx in try tx.roster() } == roster)
        }
    }

    @Test("staff corrections are kept with what the classifier read, oldest first, from a given time; a ticket keeps its reading",
          arguments: StoreKind.allCases)
    func corrections(kind: StoreKind) async throws {
        try await withStore(kind) { (store: any Store) async throws in
            let base = Date(timeIntervalSince1970: 1_800_000_000)
            let reading = ClassifierReading(text: "3栋楼顶有个小孩在栏杆外面玩", intent: .repair, category: .facility,
                                            department: .engineering, severity: .general,
                                            rules: ["facility.door", "intent.repair.broken"], rulesVersion: "abc")
            var stored = sampleTicket(ref: "T0001")
            stored.reading = reading
            let ticket = stored
            let made = [
                LabelCorrection(ticketRef: "T0001", at: base.addingTimeInterval(60), by: "zhao_gang", kind: .severity,
                                reading: reading, severity: .emergency),
                LabelCorrection(ticketRef: "T0001", at: base.addingTimeInterval(120), by: "wang_fang", kind: .category,
                                reading: reading, category: .security, department: .security),
                LabelCorrection(ticketRef: "T0001", at: base.addingTimeInterval(180), by: "ma_lin", kind: .transfer,
                                reading: ClassifierReading(text: "x", intent: .inquiry, category: .general, department: .service,
                                                           severity: .general, rules: [], rulesVersion: "def"),
                                department: .management),
            ]
            try await store.write { tx in
                try tx.insertTicket(ticket)
                // Recorded out of time order: read back by time.
                for correction in [made[1], made[0], made[2]] { try tx.appendCorrection(correction) }
            }
            #expect(try await store.corrections(since: nil) == made)
            #expect(try await store.corrections(since: base.addingTimeInterval(120)) == Array(made.dropFirst()))
            #expect(try await store.corrections(since: base.addingTimeInterval(181)).isEmpty)
            #expect(try await store.ticket(ref: "T0001")?.ticket.reading == reading)
            // A correction of a ticket that does not exist is refused, and the whole write with it.
            await #expect(throws: (any Error).self) {
                try await store.write { tx in try tx.appendCorrection(LabelCorrection(
                    ticketRef: "T9999", at: base, by: "x", kind: .severity, reading: reading, severity: .major)) }
            }
            #expect(try await store.corrections(since: nil).count == 3)
        }
    }

    @Test("a SQLite store keeps everything across close and reopen")
    func sqliteSurvivesReopen() async throws {
        let folder = try RepositoryFiles.temporaryFolder("store-reopen")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        do {
            let store = try SQLiteStore(path: folder + "/db.sqlite")
            _ = try await store.storeInbound(InboundBatch(channel: "sms", messages: [message("a")], cursor: "1"))
            try await store.write { tx in try tx.insertTicket(sampleTicket(ref: "T0001")) }
        }
        let reopened = try SQLiteStore(path: folder + "/db.sqlite")
        #expect(try await reopened.cursor(channel: "sms") == "1")
        #expect(try await reopened.inboundCount() == 1)
        #expect(try await reopened.ticket(ref: "T0001") != nil)
        #expect(try await reopened.storeInbound(InboundBatch(channel: "sms", messages: [message("a")], cursor: "1")) == 0)
    }

    @Test("a SQLite path that cannot be opened gives an error naming the path")
    func sqliteBadPath() throws {
        // A regular file where a folder should be: nobody, not even root, can create the database.
        let folder = try RepositoryFiles.temporaryFolder("store-bad-path")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        FileManager.default.createFile(atPath: folder + "/file", contents: Data("x".utf8))
        let path = folder + "/file/db.sqlite"
        #expect {
            _ = try SQLiteStore(path: path)
        } throws: { error in
            "\(error)".contains(path)
        }
    }
}
