import ArgumentParser
import FirstaskCurl
import FirstaskDesk
import Foundation
import Logging

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
        let options: LoopbackRig.Options
        do {
            options = LoopbackRig.Options(folder: folder, promptsPath: try ShippedFiles.locate("prompts"),
                                          rosterPath: try ShippedFiles.locate("deploy/roster.yaml"))
        } catch {
            throw exitForConfig(error)
        }
        let ok = try await LoopbackRig.with(options, logger: Logger(label: "firstask")) { rig in
            try await DemoScript(rig: rig).play()
        }
        if !ok { throw ExitCode.failure }
    }
}

/// The demo's conversation: residents in Chinese and English, then the handler working the first ticket.
struct DemoScript {
    let rig: LoopbackRig

    static let residents: [(name: String, phone: String, text: String)] = [
        ("Resident Li (simplified Chinese)", "+8613911110001", "3栋2单元501厨房水管漏水，水一直往楼下滴，麻烦尽快派人来看看"),
        ("Resident Chan (traditional Chinese)", "+85291234567", "A座15樓7室門口走廊的燈壞咗兩日，晚上好黑，麻煩嚟整吓"),
        ("Resident Smith (English)", "+447700900123", "Hi, the lift in Block 2 makes a loud grinding noise since this morning. I'm in Flat 1203."),
        ("Resident Zhao (simplified Chinese)", "+8613922220002", "5栋地下车库闻到很浓的煤气味！！"),
    ]

    func play() async throws -> Bool {
        let started = Date()
        print("== firstask demo: a simulated SMS inbox on http://127.0.0.1:\(rig.inboxPort), reached through libcurl\n")
        for resident in Self.residents {
            rig.inbox.inject(from: resident.phone, text: resident.text)
        }
        guard try await rig.settle(timeout: .seconds(20)) else { return fail("residents' messages were not all handled") }

        // The handler of the first ticket works it by text: accept, reply to the resident, mark done.
        guard let first = try await rig.gateway.store.ticket(ref: Ticket.ref(number: 1))?.ticket else {
            return fail("ticket T0001 was not opened")
        }
        let roster = try await rig.gateway.store.roster()
        guard let handler = roster.member(id: first.handler) else { return fail("T0001 has no handler on the roster") }
        for text in ["接单 \(first.ref)", "\(first.ref) 回复 您好，维修师傅10分钟后上门，请家里留人", "完成 \(first.ref) 已更换厨房水管接头"] {
            rig.inbox.inject(from: handler.address, text: text)
            guard try await rig.settle(timeout: .seconds(20)) else { return fail("the staff command was not handled") }
        }

        printTranscript(roster: roster, since: started)
        try await printTickets()
        return true
    }

    func fail(_ reason: String) -> Bool {
        FileHandle.standardError.write(Data("demo failed: \(reason)\n".utf8))
        return false
    }

    func printTranscript(roster: Roster, since: Date) {
        func who(_ address: String) -> String {
            if let staff = roster.member(address: address) { return "\(staff.name) (\(staff.department.rawValue) staff)" }
            return Self.residents.first { $0.phone == address }?.name ?? address
        }
        enum Line { case inbound(SimulatedInbox.Inbound), outbound(SimulatedInbox.Delivery) }
        var lines: [(Date, Int, Line)] = []
        for (index, message) in rig.inbox.inbound.enumerated() { lines.append((message.receivedAt, index, .inbound(message))) }
        for (index, delivery) in rig.inbox.deliveries.enumerated() { lines.append((delivery.at, 10_000 + index, .outbound(delivery))) }
        lines.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        print("== Transcript (\(rig.inbox.inbound.count) messages in, \(rig.inbox.deliveries.count) out)\n")
        for (date, _, line) in lines {
            let offset = String(format: "+%5.2fs", date.timeIntervalSince(since))
            switch line {
            case let .inbound(message):
                print("\(offset)  → gateway  from \(who(message.from)):\n           \(message.text)\n")
            case let .outbound(delivery):
                print("\(offset)  ← gateway  to \(who(delivery.to)):\n           \(delivery.text.replacingOccurrences(of: "\n", with: "\n           "))\n")
            }
        }
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
              let object = try JSONSerialization.jsonObject(with: response.body) as? [String: Any],
              let tickets = object["tickets"] as? [[String: Any]]
        else {
            print("admin API answered HTTP \(response.status)")
            return
        }
        print("== Tickets (GET /api/tickets?status=all)\n")
        let header = ["ref", "status", "intent", "category", "severity", "location", "first responder", "handler", "events"]
        var rows = [header]
        for ticket in tickets {
            let location = (ticket["location"] as? [String: Any]).map { fields in
                ["building", "unit", "room"].compactMap { fields[$0] as? String }.joined(separator: "-")
            } ?? "-"
            rows.append([
                ticket["ref"], ticket["status"], ticket["intent"], ticket["category"], ticket["severity"],
            ].map { ($0 as? String) ?? "-" } + [location, ticket["first_responder"] as? String ?? "-",
                                               ticket["handler"] as? String ?? "-",
                                               String((ticket["events"] as? [Any])?.count ?? 0)])
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            print(row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  "))
        }
        print("")
    }
}
