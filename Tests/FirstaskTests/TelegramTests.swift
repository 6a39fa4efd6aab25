import FirstaskApp
import FirstaskChannels
import FirstaskCurl
import FirstaskDesk
import FirstaskTesting
import Foundation
import Logging
import ServiceLifecycle
import Testing

@Suite("Telegram channel against a fake Bot API", .serialized)
struct TelegramTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func update(_ id: Int, chat: Int = 555, text: String?) -> String {
        let body = text.map { #""text": "\#($0)""# } ?? #""sticker": {"file_id": "x"}"#
        return #"{"update_id": \#(id), "message": {"message_id": \#(id), "date": 1800000000, "chat": {"id": \#(chat), "type": "private"}, \#(body)}}"#
    }

    static func ok(_ updates: [String]) -> FakeProvider.Reply {
        FakeProvider.Reply(200, #"{"ok": true, "result": [\#(updates.joined(separator: ","))]}"#)
    }

    @Test("getUpdates pages: text messages read, other updates rejected, next offset = highest update_id + 1, empty keeps it")
    func parse() throws {
        let json = try JSONSerialization.jsonObject(with: Data("[\(Self.update(7, text: "厨房漏水")), \(Self.update(9, text: nil)), {\"update_id\": 10, \"callback_query\": {}}]".utf8))
        let page = try TelegramChannel.parseUpdates(json, channel: "tg", now: now)
        #expect(page.messages.map(\.providerID) == ["7"] && page.messages[0].from == "555" && page.messages[0].text == "厨房漏水")
        #expect(page.rejected.count == 2 && page.next == "11")
        #expect(try TelegramChannel.parseUpdates([Any](), channel: "tg", now: now).next == nil)
    }

    @Test("long polling through the poller: offset advances only past stored updates, 429 retry_after is honoured, empty pages keep the offset")
    func polling() async throws {
        let fake = FakeProvider { _, index in
            switch index {
            case 0: return Self.ok([Self.update(100, text: "3栋2单元501厨房漏水"), Self.update(101, text: nil)])
            case 1: return FakeProvider.Reply(429, #"{"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 1", "parameters": {"retry_after": 1}}"#)
            case 2: return Self.ok([])
            case 3: return Self.ok([Self.update(102, chat: 556, text: "The lift is stuck")])
            default:
                try? await Task.sleep(until: .now + .milliseconds(100))  // a long poll that finds nothing
                return Self.ok([])
            }
        }
        try await fake.serve { base in
            let store = InMemoryStore()
            let channel = TelegramChannel(settings: TelegramSettings(id: "tg", token: "123:SECRET", pollTimeout: 1, apiBase: base),
                                          client: sharedClient)
            let intake = Intake(store: store, flood: .off, clock: SystemWallClock(), deskBell: Doorbell(), dispatcherBell: Doorbell(),
                                logger: quietLogger())
            var poller = InboxPoller(source: channel, store: store, deskBell: Doorbell(), pollInterval: 0.05, longPolls: true,
                                     logger: quietLogger())
            poller.intake = intake
            let group = ServiceGroup(services: [poller], logger: quietLogger())
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                let done = try await eventually(timeout: .seconds(15)) {
                    let count = try await store.inboundCount()
                    let cursor = try await store.cursor(channel: "tg")
                    return count == 2 && cursor == "103" && fake.recorded.count >= 5
                }
                #expect(done)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            let calls = fake.recorded
            #expect(calls.allSatisfy { $0.path == "/bot123:SECRET/getUpdates" })
            let offsets = calls.map { call in FormEncoding.decodeStrings(call.query).first { $0.name == "offset" }?.value }
            #expect(Array(offsets.prefix(5)) == [nil, "102", "102", "102", "103"])
            #expect(try await store.rejectedInbound().count == 1)
            let messages = try await store.pendingInbound(limit: 10)
            #expect(messages.map(\.from) == ["555", "556"] && messages[0].text == "3栋2单元501厨房漏水")
        }
    }

    @Test("sendMessage: JSON chat_id and text; 429 → retry after retry_after, 5xx → backoff, 400/403 → final; token never in errors")
    func send() async throws {
        let fake = FakeProvider { _, index in
            switch index {
            case 0: FakeProvider.Reply(200, #"{"ok": true, "result": {"message_id": 1}}"#)
            case 1: FakeProvider.Reply(429, #"{"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 5", "parameters": {"retry_after": 5}}"#)
            case 2: FakeProvider.Reply(502, "Bad Gateway")
            case 3: FakeProvider.Reply(400, #"{"ok": false, "error_code": 400, "description": "Bad Request: chat not found"}"#)
            default: FakeProvider.Reply(403, #"{"ok": false, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}"#)
            }
        }
        try await fake.serve { base in
            let channel = TelegramChannel(settings: TelegramSettings(id: "tg", token: "123:SECRET", apiBase: base), client: sharedClient)
            let message = OutboundMessage(id: "row-1", channel: "tg", to: "555", text: "您好 T0001", nextAttemptAt: now, createdAt: now)
            try await channel.send(message)
            let call = try #require(fake.recorded.first)
            #expect(call.path == "/bot123:SECRET/sendMessage")
            #expect(call.json?["chat_id"] as? Int == 555 && call.json?["text"] as? String == "您好 T0001")
            for expected in [ChannelError.Retry.after(seconds: 5), .backoff, .never, .never] {
                do {
                    try await channel.send(message)
                    Issue.record("send succeeded")
                } catch let error as ChannelError {
                    #expect(error.retry == expected)
                    #expect(!error.description.contains("SECRET"))
                }
            }
        }
    }

    @Test("webhook mode: X-Telegram-Bot-Api-Secret-Token must match (403), the update is read")
    func webhook() throws {
        let channel = TelegramChannel(settings: TelegramSettings(id: "tg", token: "t", mode: .webhook, webhookSecret: "hook_secret"),
                                      client: sharedClient)
        func call(_ secret: String?) -> WebhookRequest {
            WebhookRequest(method: "POST", path: "/webhooks/tg", query: "",
                           headers: secret.map { [(name: "X-Telegram-Bot-Api-Secret-Token", value: $0)] } ?? [],
                           body: Data(Self.update(42, text: "漏水").utf8))
        }
        for bad in [nil, "", "hook_secreT"] as [String?] {
            do {
                _ = try channel.parseWebhook(call(bad), now: now)
                Issue.record("accepted \(String(describing: bad))")
            } catch { #expect(error.code == .forbidden) }
        }
        #expect(try channel.parseWebhook(call("hook_secret"), now: now).messages.first?.providerID == "42")
        var broken = call("hook_secret")
        broken.body = Data("{".utf8)
        #expect(throws: WebhookError.self) { try channel.parseWebhook(broken, now: now) }
    }
}
