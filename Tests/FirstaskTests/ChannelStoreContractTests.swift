import FirstaskDesk
import FirstaskSQLite
import FirstaskTesting
import Foundation
import Testing

func withChannelStore(_ kind: StoreKind, _ body: (any ChannelStore) async throws -> Void) async throws {
    let (store, folder) = try kind.make()
    defer { if let folder { try? FileManager.default.removeItem(atPath: folder) } }
    try await body(try #require(store as? any ChannelStore))
}

@Suite("Channel store contract: intake with flood protection, delivery reports")
struct ChannelStoreContractTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("beyond N per window a sender's messages are stored as throttled, never reach the desk, and cause one notice",
          arguments: StoreKind.allCases)
    func floodProtection(kind: StoreKind) async throws {
        try await withChannelStore(kind) { store in
            let flood = FloodPolicy(maxPerWindow: 3, window: 60, notices: [.zhHans: "slow down"])
            let flooder = (0..<10).map { message("f\($0)", from: "+8613900000009") }
            let result = try await store.storeInbound(InboundBatch(channel: "sms", messages: flooder + [message("ok")], cursor: "c1"),
                                                      flood: flood, now: now, makeID: { UUID().uuidString })
            #expect(result.accepted == 4 && result.throttled == 7 && result.notices == 1)
            #expect(try await store.inboundCount() == 11)
            #expect(try await store.throttledCount() == 7)
            #expect(try await store.pendingInbound(limit: 100).count == 4)
            #expect(try await store.cursor(channel: "sms") == "c1")
            let notices = try await store.outbound(status: .pending)
            #expect(notices.count == 1 && notices[0].to == "+8613900000009" && notices[0].text == "slow down")

            // Still flooding a little later: stored, throttled, no second notice.
            let later = try await store.storeInbound(InboundBatch(channel: "sms", messages: [message("f10", from: "+8613900000009")], cursor: nil),
                                                     flood: flood, now: now.addingTimeInterval(30), makeID: { UUID().uuidString })
            #expect(later.throttled == 1 && later.notices == 0)
            // A redelivery changes nothing.
            let again = try await store.storeInbound(InboundBatch(channel: "sms", messages: flooder, cursor: nil),
                                                     flood: flood, now: now.addingTimeInterval(31), makeID: { UUID().uuidString })
            #expect(again.stored == 0 && again.notices == 0)
            // Once the window has passed the sender is heard again.
            let quiet = try await store.storeInbound(InboundBatch(channel: "sms", messages: [message("f11", from: "+8613900000009")], cursor: nil),
                                                     flood: flood, now: now.addingTimeInterval(200), makeID: { UUID().uuidString })
            #expect(quiet.accepted == 1)
        }
    }

    @Test("with flood protection off every new message is accepted", arguments: StoreKind.allCases)
    func floodOff(kind: StoreKind) async throws {
        try await withChannelStore(kind) { store in
            let batch = InboundBatch(channel: "sms", messages: (0..<50).map { message("m\($0)") }, cursor: nil)
            let result = try await store.storeInbound(batch, flood: .off, now: now, makeID: { UUID().uuidString })
            #expect(result.accepted == 50 && result.throttled == 0)
        }
    }

    @Test("delivery reports land on their outbox row, the latest wins; unknown rows are ignored", arguments: StoreKind.allCases)
    func deliveryReports(kind: StoreKind) async throws {
        try await withChannelStore(kind) { store in
            try await store.write { tx in try tx.enqueue(outboxRow("r1")) }
            #expect(try await store.deliveryReport(outboxID: "r1") == nil)
            #expect(try await store.recordDeliveryReports([DeliveryReport(outboxID: "r1", state: .accepted, detail: "dlr 8", at: now)]) == 1)
            #expect(try await store.recordDeliveryReports([
                DeliveryReport(outboxID: "r1", state: .delivered, detail: "dlr 1", at: now.addingTimeInterval(1)),
                DeliveryReport(outboxID: "nope", state: .delivered, detail: "dlr 1", at: now),
            ]) == 1)
            let report = try #require(try await store.deliveryReport(outboxID: "r1"))
            #expect(report.state == .delivered && report.detail == "dlr 1")
            // A late "accepted by the SMSC" does not undo "delivered".
            #expect(try await store.recordDeliveryReports([DeliveryReport(outboxID: "r1", state: .accepted, detail: "dlr 8", at: now)]) == 1)
            #expect(try await store.deliveryReport(outboxID: "r1")?.state == .delivered)
        }
    }
}
