import FirstaskApp
import FirstaskDesk
import FirstaskSQLite
import FirstaskTesting
import Foundation
import Testing

@Suite("The firstask process killed with SIGKILL under load", .serialized)
struct CrashTests {
    @Test("SIGKILL five times while messages stream in: every message has exactly one ticket or timeline entry, every reply arrives, repeats counted")
    func sigkillUnderLoad() async throws {
        let folder = try RepositoryFiles.temporaryFolder("crash")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await LiveServer.withInbox { inbox, port in
            let config = try writeGatewayConfig(in: folder, inboxPort: port, channelOptions: "poll_interval: 0.05, wait: 1, limit: 20",
                                                extra: "dispatcher: {concurrency: 4}\nflood: {max_per_window: 0}")
            let log = folder + "/gateway.log"
            let residents = 240
            let kills = 5
            func resident(_ index: Int) -> String { "+8613600\(String(format: "%05d", index))" }

            // The stream: one new resident every few milliseconds, in the background, whatever the gateway is doing.
            let streaming = Task {
                for index in 0..<residents {
                    inbox.inject(from: resident(index), text: "\(index % 9 + 1)栋\(index % 3 + 1)单元\(index + 100)卫生间漏水")
                    try await Task.sleep(until: .now + .milliseconds(8))
                }
            }
            // Follow-ups: every 8th resident answers their acknowledgement, naming the ticket ref it gave.
            let followUps = Task {
                var answered = Set<String>()
                var seen = 0
                while answered.count < residents / 8 {
                    let new = inbox.deliveries(from: seen)
                    seen += new.count
                    for delivery in new {
                        guard let index = Int(delivery.to.suffix(5)), delivery.to.hasPrefix("+8613600"), index % 8 == 0,
                              !answered.contains(delivery.to),
                              let ref = delivery.text.firstMatch(of: /T\d{4,}/).map({ String($0.output) }) else { continue }
                        answered.insert(delivery.to)
                        inbox.inject(from: delivery.to, text: "\(ref) 还在漏，请尽快")
                    }
                    try await Task.sleep(until: .now + .milliseconds(20))
                }
            }

            var killed = 0
            var process = try launch(["serve", "--config", config], log: log)
            while killed < kills {
                // Kill in the middle of work: once a few more replies have gone out since the last start.
                let before = inbox.deliveries.count + inbox.duplicateSends
                let deadline = ContinuousClock.now + .seconds(30)
                while inbox.deliveries.count + inbox.duplicateSends < before + 15 + killed * 7, ContinuousClock.now < deadline {
                    try await Task.sleep(until: .now + .milliseconds(5))
                }
                kill(process.processIdentifier, SIGKILL)
                _ = try await waitForExit(process, timeout: .seconds(10))
                killed += 1
                process = try launch(["serve", "--config", config], log: log)
            }
            try await streaming.value
            let store = try SQLiteStore(path: folder + "/firstask.sqlite")
            let settled = try await eventually(timeout: .seconds(90)) {
                let stored = try await store.inboundCount()
                let unhandled = try await store.pendingInbound(limit: 1).count
                let pending = try await store.outbound(status: .pending).count
                return stored == residents + residents / 8 && unhandled == 0 && pending == 0
            }
            followUps.cancel()
            kill(process.processIdentifier, SIGTERM)
            #expect(try await waitForExit(process, timeout: .seconds(20)) == 0)
            #expect(settled, "not settled; log: \((try? String(contentsOfFile: log, encoding: .utf8))?.suffix(3000) ?? "")")

            // Every inbound message: exactly one ticket (first texts) or one timeline entry (follow-ups).
            #expect(try await store.inboundCount() == residents + residents / 8)
            let tickets = try await store.tickets(.all)
            #expect(tickets.count == residents)
            #expect(Set(tickets.map(\.resident)).count == residents, "a resident got two tickets")
            var followUpEntries = 0
            for ticket in tickets {
                let events = try #require(try await store.ticket(ref: ticket.ref)).events
                let residentMessages = events.filter { $0.kind == .residentMessage }.count
                let index = Int(ticket.resident.suffix(5))!
                #expect(residentMessages == (index % 8 == 0 ? 1 : 0), "\(ticket.ref): \(residentMessages) follow-up entries")
                #expect(events.filter { $0.kind == .opened }.count == 1)
                followUpEntries += residentMessages
            }

            // Every reply reached the provider, each idempotency key delivered once.
            let rows = try await store.outbound(status: nil)
            #expect(rows.allSatisfy { $0.status == .sent }, "rows not sent: \(rows.filter { $0.status != .sent }.map(\.id))")
            let delivered = Set(inbox.deliveries.map(\.id))
            #expect(delivered.count == inbox.deliveries.count, "an idempotency key was delivered twice")
            #expect(Set(rows.map(\.id)).isSubset(of: delivered), "a recorded reply never reached the provider")
            #expect(delivered.count == rows.count, "the provider got replies the store does not know")
            for index in 0..<residents {
                let acks = inbox.deliveries.filter { $0.to == resident(index) }.count
                #expect(acks == (index % 8 == 0 ? 2 : 1), "resident \(index) got \(acks) texts")
            }
            print("""
                crash test: \(kills) SIGKILLs + 1 SIGTERM; inbound \(residents + residents / 8) (\(residents) new, \(followUpEntries) follow-ups); \
                tickets \(tickets.count); outbox rows \(rows.count), delivered once each: \(delivered.count); \
                repeated sends of an already-delivered key (crash windows, absorbed by the provider's idempotency): \(inbox.duplicateSends)
                """)
        }
    }
}
