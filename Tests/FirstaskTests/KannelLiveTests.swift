import FirstaskApp
import FirstaskChannels
import FirstaskCurl
import FirstaskDesk
import FirstaskSQLite
import FirstaskTesting
import Foundation
import Logging
import ServiceLifecycle
import Testing

/// Runs the in-process gateway with one `kannel` channel against a real Kannel (`KannelRig`) for `body`.
func withKannelGateway<T: Sendable>(
    _ name: String, flood: FloodPolicy = FloodPolicy(), _ body: @Sendable (KannelRig, Gateway, String) async throws -> T
) async throws -> T {
    let folder = try RepositoryFiles.temporaryFolder(name)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let gatewayPort = try KannelRig.freePort()
    let secret = "kannel-hook-secret"
    let hook = "http://127.0.0.1:\(gatewayPort)/webhooks/sms"
    let rig = try await KannelRig.start(
        folder: folder, getURL: hook + "?id=%I&from=%p&to=%P&text=%b&charset=%C&coding=%c&time=%T&secret=\(secret)")
    do {
        var config = GatewayConfig(
            listenHost: "127.0.0.1", listenPort: gatewayPort, adminToken: "kannel-live-admin-token", sqlitePath: folder + "/firstask.sqlite",
            promptsPath: RepositoryFiles.prompts, rosterPath: RepositoryFiles.roster, channels: [])
        config.providerChannels = [.kannel(KannelSettings(
            id: "sms", sendsmsURL: "http://127.0.0.1:\(rig.sendsmsPort)/cgi-bin/sendsms", username: rig.username,
            password: rig.password, from: "10086", dlrURL: hook, secret: secret))]
        config.intake.flood = flood
        let gateway = try await Gateway.build(config: config, logger: quietLogger())
        let (ports, sink) = AsyncStream.makeStream(of: Int.self)
        let group = ServiceGroup(services: gateway.services { sink.yield($0) }, logger: quietLogger())
        let result = try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            _ = await iterator.next()
            do {
                let value = try await body(rig, gateway, hook)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return value
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
        }
        gateway.client.shutdown()
        await rig.stop()
        return result
    } catch {
        await rig.stop()
        throw error
    }
}

/// Waits until `condition` holds, checking every 20 ms.
func eventually(timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(until: .now + .milliseconds(20))
    }
    return try await condition()
}

@Suite("Kannel, live: real bearerbox + smsbox + fake SMSC on loopback", .serialized)
struct KannelLiveTests {
    @Test("Chinese and English texts go handset → Kannel → webhook → desk → sendsms → handset intact (UCS-2), with delivery reports",
          .disabled(if: KannelRig.missing != nil, "kannel binaries missing: apt-get install kannel kannel-extras"))
    func roundTrip() async throws {
        try await withKannelGateway("kannel-live") { rig, gateway, _ in
            let store = gateway.store
            let chinese = "3栋2单元501厨房水管漏水\n水一直在流，请快来"
            try await rig.handsetSends(from: "+8613911110001", text: chinese)
            try await rig.handsetSends(from: "+447700900123", text: "The lift in Block 2 is stuck between floors, Flat 1203")

            let stored = try await eventually { try await store.tickets(.all).count == 2 }
            #expect(stored, "tickets not opened; \(rig.logs())")
            let tickets = try await store.tickets(.all)
            let first = try #require(tickets.first { $0.resident == "+8613911110001" })
            #expect(first.text == chinese, "the Chinese MO (with its line break) did not arrive intact")
            #expect(tickets.contains { $0.resident == "+447700900123" && $0.text.hasPrefix("The lift in Block 2") })

            // The handler answers by SMS from the phone on the roster, in Chinese.
            let roster = try await store.roster()
            let handler = try #require(roster.member(id: first.handler))
            try await rig.handsetSends(from: handler.address, text: "\(first.ref) 回复 师傅10分钟后上门，请在家等候")

            // Settled: all three texts stored and handled, nothing left to send, and every sent text at a handset.
            let settled = try await eventually {
                let stored = try await store.inboundCount()
                let unhandled = try await store.pendingInbound(limit: 1).count
                let pending = try await store.outbound(status: .pending).count
                let sent = try await store.outbound(status: .sent)
                let received = rig.received
                return stored == 3 && unhandled == 0 && pending == 0
                    && sent.allSatisfy { row in received.filter { $0.to == row.to }.count >= sent.filter { $0.to == row.to }.count }
            }
            #expect(settled, "replies did not reach the fake SMSC; \(rig.logs())")

            // Every text the gateway sent reached a handset exactly as written (parts joined).
            let sent = try await store.outbound(status: .sent)
            let received = rig.received
            for row in sent {
                let ucs2 = SMSSegmenter.encoding(for: row.text) == .ucs2
                let texts = received.filter { $0.to == row.to }.map { $0.text(ucs2: ucs2) }
                #expect(texts.contains(row.text), "\(row.id) to \(row.to) arrived as \(texts), expected \(row.text)")
            }
            #expect(received.contains { $0.to == "+8613911110001" && $0.parts > 1 }, "the Chinese acknowledgement is long enough to be concatenated")
            let residentTexts = received.filter { $0.to == "+8613911110001" }.map { $0.text(ucs2: true) }
            #expect(residentTexts.contains { $0.contains(first.ref) })
            #expect(residentTexts.contains { $0.hasSuffix("师傅10分钟后上门，请在家等候") })
            #expect(received.filter { $0.to == "+447700900123" }.count == 1)

            // The fake SMSC reports delivery (8 = at SMSC, then 1 = delivered); the outbox rows record it.
            let delivered = try await eventually {
                var all = true
                for row in sent where try await gateway.channelStore.deliveryReport(outboxID: row.id)?.state != .delivered { all = false }
                return all
            }
            var states: [String] = []
            for row in sent { states.append("\(row.id): \(String(describing: try await gateway.channelStore.deliveryReport(outboxID: row.id)))") }
            #expect(delivered, "delivery reports missing: \(states)\n\(rig.logs())")
        }
    }
}
