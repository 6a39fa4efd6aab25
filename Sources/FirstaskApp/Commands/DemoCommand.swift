import ArgumentParser
import FirstaskChannels
import FirstaskCurl
import FirstaskDesk
import Foundation
import Logging
import Synchronization

/// `firstask demo`: the whole path on loopback with a scripted conversation; prints the transcript and tickets.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Play a scripted conversation through a simulated SMS inbox on loopback; print transcript and tickets.")

    @Flag(name: .long, help: "Show the gateway's log lines (info level) as well.")
    var verbose = false

    func run() async throws {
        LoggingSetup.bootstrap(level: verbose ? .info : .warning)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("firstask-demo-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var options: LoopbackRig.Options
        do {
            options = LoopbackRig.Options(folder: folder, promptsPath: try ShippedFiles.locate("prompts"),
                                          rosterPath: try ShippedFiles.locate("deploy/roster.yaml"))
        } catch {
            throw exitForConfig(error)
        }
        // The demo keeps its own clock, starting on a weekday morning, so the same staff are on duty
        // whenever it runs and it can jump ahead to show deadlines passing.
        let clock = DemoClock(DemoScript.start)
        options.clock = clock
        let ok = try await LoopbackRig.with(options, logger: Logger(label: "firstask")) { rig in
            try await DemoScript(rig: rig, clock: clock).play()
        }
        if !ok { throw ExitCode.failure }
    }
}

/// A clock the demo moves by hand.
final class DemoClock: WallClock {
    private let current: Mutex<Date>
    init(_ start: Date) { current = Mutex(start) }
    var now: Date { current.withLock { $0 } }
    func advance(by seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// The demo's conversation: residents in Chinese and English; the handler working the first ticket and the
/// resident confirming it; then a ticket nobody touches, escalating as its deadline passes.
final class DemoScript {
    let rig: LoopbackRig
    let clock: DemoClock
    /// What has been printed of the inbox's traffic so far.
    private let printed = Mutex((inbound: 0, outbound: 0))

    init(rig: LoopbackRig, clock: DemoClock) {
        self.rig = rig
        self.clock = clock
    }

    /// Tuesday 1 December 2026, 10:00 in Shanghai.
    static let start = Date(timeIntervalSince1970: 1_796_090_400)

    static let residents: [(name: String, phone: String, text: String)] = [
        ("Resident Li (simplified Chinese)", "+8613911110001", "3栋2单元501厨房水管漏水，水一直往楼下滴，麻烦尽快派人来看看"),
        ("Resident Chan (traditional Chinese)", "+85291234567", "A座15樓7室門口走廊的燈壞咗兩日，晚上好黑，麻煩嚟整吓"),
        ("Resident Smith (English)", "+447700900123", "Hi, the lift in Block 2 makes a loud grinding noise since this morning. I'm in Flat 1203."),
        ("Resident Zhao (simplified Chinese)", "+8613922220002", "5栋地下车库闻到很浓的煤气味！！"),
    ]

    func play() async throws -> Bool {
        print("== firstask demo: a simulated SMS inbox on http://127.0.0.1:\(rig.inboxPort), reached through libcurl")
        print("   (the gateway runs on a demo clock starting Tue 1 Dec 2026 10:00 Shanghai, so it can skip ahead)\n")
        let roster = try await rig.gateway.store.roster()

        section("Four residents write in")
        for resident in Self.residents {
            rig.inbox.inject(from: resident.phone, text: resident.text)
        }
        guard try await rig.settle(timeout: .seconds(20)) else { return fail("residents' messages were not all handled") }
        printNew(roster)

        // The handler of the first ticket works it by text: accept, reply to the resident, mark done.
        guard let first = try await rig.gateway.store.ticket(ref: Ticket.ref(number: 1))?.ticket,
              let handler = roster.member(id: first.handler)
        else { return fail("ticket T0001 was not opened with a handler on the roster") }
        section("\(handler.name) works \(first.ref) by text")
        for text in ["接单 \(first.ref)", "\(first.ref) 回复 您好，维修师傅10分钟后上门，请家里留人", "完成 \(first.ref) 已更换厨房水管接头"] {
            rig.inbox.inject(from: handler.address, text: text)
            guard try await rig.settle(timeout: .seconds(20)) else { return fail("the staff command was not handled") }
        }
        printNew(roster)

        // The gas report and the lift are worked too; the traditional-Chinese resident's ticket is left alone.
        section("The gas report and the lift are handled")
        guard let gas = try await rig.gateway.store.ticket(ref: "T0004")?.ticket, let gasHandler = roster.member(id: gas.handler),
              let lift = try await rig.gateway.store.ticket(ref: "T0003")?.ticket, let liftHandler = roster.member(id: lift.handler)
        else { return fail("T0003 and T0004 should be open with handlers") }
        let patrol = gas.helpers.compactMap { roster.member(id: $0) }.first { $0.department == .security }
        var steps = [(gasHandler, "接单 T0004")]
        if let patrol { steps.append((patrol, "备注 T0004 已到现场，车库B区燃气管接口松动，已关阀通风")) }
        steps += [(gasHandler, "完成 T0004 燃气公司已更换接口，检测正常"),
                  (liftHandler, "T0003 accept"), (liftHandler, "T0003 Our lift engineer will check it at 11:00 today.")]
        for (staff, text) in steps {
            rig.inbox.inject(from: staff.address, text: text)
            guard try await rig.settle(timeout: .seconds(20)) else { return fail("the staff command was not handled") }
        }
        printNew(roster)

        section("Resident Li confirms and rates it")
        rig.inbox.inject(from: Self.residents[0].phone, text: "修好了，师傅很专业，谢谢！5分")
        guard try await rig.settle(timeout: .seconds(20)) else { return fail("the confirmation was not handled") }
        printNew(roster)

        // Nobody touches the traditional-Chinese resident's ticket: its first-response deadline passes.
        for (minutes, what) in [(30, "its first-response deadline passes"), (120, "one escalation step later"),
                                (120, "another step later")] {
            clock.advance(by: Double(minutes) * 60)
            section("+\(minutes) min: nobody has touched T0002 — \(what)")
            try await rig.gateway.deskWorker.runClocks()
            rig.gateway.deskWorker.dispatcherBell.ring()
            guard try await rig.settle(timeout: .seconds(20)) else { return fail("the escalation was not sent") }
            printNew(roster)
        }

        try await printTickets()
        guard let confirmed = try await rig.gateway.store.ticket(ref: "T0001")?.ticket, confirmed.satisfaction == 5,
              let escalated = try await rig.gateway.store.ticket(ref: "T0002")?.ticket, escalated.escalation == 3
        else { return fail("T0001 should be confirmed with rating 5 and T0002 escalated to leadership") }
        return true
    }

    func section(_ title: String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai") ?? .gmt
        let parts = calendar.dateComponents([.hour, .minute], from: clock.now)
        print(String(format: "── %02d:%02d  %@\n", parts.hour ?? 0, parts.minute ?? 0, title))
    }

    func fail(_ reason: String) -> Bool {
        FileHandle.standardError.write(Data("demo failed: \(reason)\n".utf8))
        return false
    }

    /// Prints the texts in and out since the last call, in the order the inbox saw them.
    func printNew(_ roster: Roster) {
        func who(_ address: String) -> String {
            if let staff = roster.member(address: address) {
                return "\(staff.name) (\(staff.department.rawValue) \(staff.role == .staff ? "staff" : staff.role.rawValue))"
            }
            return Self.residents.first { $0.phone == address }?.name ?? address
        }
        let inbound = rig.inbox.inbound
        let deliveries = rig.inbox.deliveries
        let (inboundDone, outboundDone) = printed.withLock { $0 }
        enum Line { case inbound(SimulatedInbox.Inbound), outbound(SimulatedInbox.Delivery) }
        var lines: [(Date, Int, Line)] = []
        for (index, message) in inbound.enumerated().dropFirst(inboundDone) { lines.append((message.receivedAt, index, .inbound(message))) }
        for (index, delivery) in deliveries.enumerated().dropFirst(outboundDone) { lines.append((delivery.at, 10_000 + index, .outbound(delivery))) }
        lines.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        for (_, _, line) in lines {
            switch line {
            case let .inbound(message):
                print("  → gateway  from \(who(message.from)):\n      \(message.text)\n")
            case let .outbound(delivery):
                print("  ← gateway  to \(who(delivery.to)):\n      \(delivery.text.replacingOccurrences(of: "\n", with: "\n      "))\n")
            }
        }
        printed.withLock { $0 = (inbound.count, deliveries.count) }
    }

    /// Reads the tickets back through the admin API, as an operator's script would.
    func printTickets() async throws {
        guard let port = rig.adminPort else { return }
        let client = CurlHTTPClient()
        defer { client.shutdown() }
        let response = try await client.execute(HTTPRequest(
            url: "http://127.0.0.1:\(port)/api/tickets?status=all",
            headers: [(name: "Authorization", value: "Bearer \(rig.adminToken)")]))
        guard response.status == 200,
              let object = try? StrictJSON.object(response.body),
              let tickets = object["tickets"] as? [[String: Any]]
        else {
            print("admin API answered HTTP \(response.status)")
            return
        }
        print("== Tickets (GET /api/tickets?status=all)\n")
        let header = ["ref", "status", "intent", "category", "severity", "location", "first responder", "handler", "escalation", "rating", "events"]
        var rows = [header]
        for ticket in tickets {
            let location = (ticket["location"] as? [String: Any]).map { fields in
                ["building", "unit", "room"].compactMap { fields[$0] as? String }.joined(separator: "-")
            } ?? "-"
            rows.append([
                ticket["ref"], ticket["status"], ticket["intent"], ticket["category"], ticket["severity"],
            ].map { ($0 as? String) ?? "-" } + [location, ticket["first_responder"] as? String ?? "-",
                                               ticket["handler"] as? String ?? "-",
                                               String(ticket["escalation"] as? Int ?? 0),
                                               (ticket["satisfaction"] as? Int).map(String.init) ?? "-",
                                               String((ticket["events"] as? [Any])?.count ?? 0)])
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            print(row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  "))
        }
        print("")
    }
}
