import FirstaskApp
import FirstaskChannels
import FirstaskClassifier
import FirstaskDesk
import FirstaskTesting
import Foundation
import Synchronization
import Testing

@Suite("Dispatcher: per-channel rate limits and dead-letter alerts")
struct DispatcherChannelTests {
    func row(_ id: String, channel: String = "sms", at: Date, ticket: String? = nil) -> OutboundMessage {
        OutboundMessage(id: id, channel: channel, to: "+8613900000001", text: "您好", ticketRef: ticket, nextAttemptAt: at, createdAt: at)
    }

    /// Service centre: wang_fang on duty all day, chen_jing head; wang_fang reached on "wechat".
    func roster(channel: String? = nil) -> Roster {
        Roster(timeZone: .gmt, staff: [
            Staff(id: "wang_fang", name: "王芳", address: "+8613800000001", department: .service, channel: channel),
            Staff(id: "emma", name: "Emma", address: "+85298000001", department: .service, locale: .en),
            Staff(id: "chen_jing", name: "陈静", address: "+8613800000003", department: .service, role: .head),
        ], shifts: [
            Shift(staffID: "wang_fang", department: .service, start: 0, end: 0),
            Shift(staffID: "emma", department: .service, start: 0, end: 0),
        ])
    }

    @Test("token bucket: a burst, then the configured rate; the rest of the rows wait pending, untouched")
    func rateLimit() async throws {
        let clock = FakeClock()
        let store = InMemoryStore()
        try await store.write { [self] tx in for index in 0..<10 { try tx.enqueue(row("r\(index)", at: clock.now)) } }
        let sink = RecordingSink()
        var settings = DispatcherSettings()
        settings.rateLimits = ["sms": RateLimit(perSecond: 2, burst: 3)]
        let dispatcher = Dispatcher(store: store, sinks: ["sms": sink], settings: settings, clock: clock, bell: Doorbell(),
                                    logger: quietLogger())
        #expect(try await dispatcher.dispatchRound() == 3)
        #expect(try await dispatcher.dispatchRound() == 0)
        #expect(try await store.outbound(status: .pending).allSatisfy { $0.attempts == 0 })
        clock.advance(by: 1)
        #expect(try await dispatcher.dispatchRound() == 2)
        clock.advance(by: 0.4)
        #expect(try await dispatcher.dispatchRound() == 0)
        clock.advance(by: 0.1)
        #expect(try await dispatcher.dispatchRound() == 1)
        #expect(sink.sent.map(\.id) == ["r0", "r1", "r2", "r3", "r4", "r5"])
    }

    @Test("a batch reaches each recipient in order, while recipients are served side by side")
    func orderPerRecipient() async {
        /// Sends to resident A slower the earlier the message, and holds A's first message until B's arrived.
        final class StaggeredSink: MessageSink, Sendable {
            let channelID = "sms"
            let log = Mutex<[String]>([])
            func send(_ message: OutboundMessage) async throws {
                if message.id == "a1" {
                    for _ in 0..<200 where !log.withLock({ $0.contains("b1") }) { try await Task.sleep(until: .now + .milliseconds(10)) }
                }
                let delay = ["a1": 40, "a2": 20][message.id] ?? 0
                try await Task.sleep(until: .now + .milliseconds(delay))
                log.withLock { $0.append(message.id) }
            }
        }
        let now = Date()
        func message(_ id: String, to: String) -> OutboundMessage {
            OutboundMessage(id: id, channel: "sms", to: to, text: "您好", ticketRef: nil, nextAttemptAt: now, createdAt: now)
        }
        let sink = StaggeredSink()
        let batch = [message("a1", to: "+8613900000001"), message("a2", to: "+8613900000001"),
                     message("b1", to: "+8613900000002"), message("a3", to: "+8613900000001")]
        let errors = await sink.send(all: batch, concurrency: 4)
        #expect(errors.allSatisfy { $0 == nil })
        let log = sink.log.withLock { $0 }
        #expect(log.filter { $0.hasPrefix("a") } == ["a1", "a2", "a3"], "one resident's messages arrive in the order written")
        #expect(log.first == "b1", "another resident does not wait behind them")
    }

    @Test("the token bucket itself (pure)")
    func tokenBucket() {
        let start = Date(timeIntervalSince1970: 0)
        var bucket = TokenBucket(rate: 1, capacity: 2, now: start)
        #expect(bucket.take(upTo: 5, now: start) == 2)
        #expect(bucket.nextToken(now: start) == start.addingTimeInterval(1))
        #expect(bucket.take(upTo: 5, now: start.addingTimeInterval(10)) == 2)  // capped at capacity
    }

    @Test("a row given up after max attempts alerts the on-duty service-centre staff on another channel; alerts never alert")
    func deadLetterAlert() async throws {
        let clock = FakeClock()
        let store = InMemoryStore()
        try await store.replaceRoster(roster(channel: "wechat"))
        try await store.write { [self] tx in
            try tx.enqueue(row("a", at: clock.now, ticket: "T0001"))
            try tx.enqueue(row("b", at: clock.now, ticket: "T0002"))
        }
        let sms = RecordingSink(channelID: "sms")
        let wechat = RecordingSink(channelID: "wechat")
        let backup = RecordingSink(channelID: "backup")
        for id in ["a", "b"] { sms.fail(id, retry: .backoff) }
        var settings = DispatcherSettings()
        settings.maxAttempts = 1
        let dispatcher = Dispatcher(store: store, sinks: ["sms": sms, "wechat": wechat, "backup": backup], settings: settings,
                                    clock: clock, bell: Doorbell(), logger: quietLogger(), channelOrder: ["sms", "backup", "wechat"])
        #expect(try await dispatcher.dispatchRound() == 2)
        #expect(try await store.outbound(status: .dead).map(\.id).sorted() == ["a", "b"])
        let alerts = try await store.outbound(status: .pending)
        #expect(alerts.count == 2, "one alert per on-duty staff member for the round, not one per dead row")
        let wang = try #require(alerts.first { $0.to == "+8613800000001" })
        #expect(wang.channel == "wechat", "her own roster channel")
        let emma = try #require(alerts.first { $0.to == "+85298000001" })
        #expect(emma.channel == "backup", "the first other channel, not the failing one")
        #expect(emma.text.contains("2") && emma.text.contains("T0001") && emma.text.contains("sms"))
        #expect(!emma.text.contains("+8613900000001"), "no resident phone numbers in alerts")

        // The alerts themselves fail for good: no alert about alerts.
        wechat.fail(wang.id, retry: .never)
        backup.fail(emma.id, retry: .never)
        #expect(try await dispatcher.dispatchRound() == 2)
        #expect(try await store.outbound(status: .pending).isEmpty)
        #expect(try await store.outbound(status: nil).count == 4)
    }

    @Test("with only the failing channel configured, the alert goes on it; nobody on duty → the department head")
    func deadLetterFallbacks() async throws {
        let clock = FakeClock()
        let now = clock.now
        var onlyHead = roster()
        onlyHead.shifts = []
        let alerts = DeadLetterAlerts.plan(dead: [(row("x", at: now), "gave up")], channel: "sms", roster: onlyHead,
                                           preference: ["sms"], templates: nil, now: now)
        #expect(alerts.map(\.to) == ["+8613800000003"])
        #expect(alerts.first?.channel == "sms")
        #expect(alerts.first?.id == "dl-x-0")
        #expect(DeadLetterAlerts.plan(dead: [(row("dl-x-0", at: now), "gave up")], channel: "sms", roster: onlyHead,
                                      preference: ["sms"], templates: nil, now: now).isEmpty)
    }
}
