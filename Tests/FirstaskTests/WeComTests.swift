import FirstaskChannels
import FirstaskCurl
import FirstaskDesk
import FirstaskTesting
import Foundation
import Testing

@Suite("WeCom customer service (wecom-kf) against a fake API", .serialized)
struct WeComTests {
    static func textItem(_ id: String, user: String = "wmUser1", text: String, at: Double) -> String {
        #"{"msgid": "\#(id)", "open_kfid": "wkKF", "external_userid": "\#(user)", "send_time": \#(Int(at)), "origin": 3, "msgtype": "text", "text": {"content": "\#(text)"}}"#
    }

    @Test("token fetched once and cached, refetched on 42001; sync_msg drains while has_more (also past an empty page), cursors chained")
    func pull() async throws {
        let now = Date().timeIntervalSince1970
        let fake = FakeProvider { call, index in
            if call.path == "/cgi-bin/gettoken" {
                return FakeProvider.Reply(200, #"{"errcode": 0, "errmsg": "ok", "access_token": "TOKEN-\#(call.query.contains("corpsecret=S") ? "ok" : "bad")-\#(index)", "expires_in": 7200}"#)
            }
            let cursor = call.json?["cursor"] as? String
            // The first token "expires" at once (call 0 fetched it, call 1 is the first sync_msg).
            if index == 1 { return FakeProvider.Reply(200, #"{"errcode": 42001, "errmsg": "access_token expired"}"#) }
            switch cursor {
            case nil:
                return FakeProvider.Reply(200, #"{"errcode": 0, "errmsg": "ok", "next_cursor": "c1", "has_more": 1, "msg_list": [\#(Self.textItem("m1", text: "3栋漏水", at: now)), {"msgid": "e1", "origin": 4, "msgtype": "event", "event": {"event_type": "enter_session"}}, {"msgid": "m2", "origin": 3, "external_userid": "wmUser2", "msgtype": "image", "image": {"media_id": "x"}}]}"#)
            case "c1":
                return FakeProvider.Reply(200, #"{"errcode": 0, "errmsg": "ok", "next_cursor": "c2", "has_more": 1, "msg_list": []}"#)
            case "c2":
                return FakeProvider.Reply(200, #"{"errcode": 0, "errmsg": "ok", "next_cursor": "c3", "has_more": 0, "msg_list": [\#(Self.textItem("m3", user: "wmUser3", text: "The lift is stuck", at: now))]}"#)
            default:
                return FakeProvider.Reply(200, #"{"errcode": 0, "errmsg": "ok", "next_cursor": "c3", "has_more": 0, "msg_list": []}"#)
            }
        }
        try await fake.serve { base in
            let channel = WeComChannel(settings: WeComSettings(id: "wecom", corpID: "corp", secret: "S", openKfID: "wkKF", apiBase: base),
                                       client: sharedClient)
            let page = try await channel.fetch(after: nil)
            #expect(page.messages.map(\.providerID) == ["m1", "m2", "m3"])
            #expect(page.messages.first?.from == "wmUser1" && page.messages.first?.text == "3栋漏水")
            // An image is a message without words whose bytes come from media/get.
            #expect(page.messages[1].text == "" && page.messages[1].media == [MediaReference(locator: "x", contentType: "image/jpeg")])
            #expect(page.rejected.isEmpty)
            #expect(page.next == "c3")
            let syncs = fake.recorded.filter { $0.path == "/cgi-bin/kf/sync_msg" }
            #expect(syncs.map { $0.json?["cursor"] as? String } == [nil, nil, "c1", "c2"])
            #expect(syncs.allSatisfy { $0.json?["open_kfid"] as? String == "wkKF" })
            #expect(channel.tokenFetches == 2, "fetched, then refetched once after 42001")
            // The next poll starts from the stored cursor, with the cached token.
            let again = try await channel.fetch(after: "c3")
            #expect(again.messages.isEmpty && again.next == nil)
            #expect(channel.tokenFetches == 2)
        }
    }

    @Test("send_msg carries the outbox id as msgid; the 48-hour / 5-message window is enforced as final errors (dead letters with the reason)")
    func sendWindow() async throws {
        let now = Date().timeIntervalSince1970
        let fake = FakeProvider { call, _ in
            if call.path == "/cgi-bin/gettoken" { return FakeProvider.Reply(200, #"{"errcode": 0, "access_token": "T", "expires_in": 7200}"#) }
            if call.path == "/cgi-bin/kf/sync_msg" {
                return FakeProvider.Reply(200, #"{"errcode": 0, "next_cursor": "c1", "has_more": 0, "msg_list": [\#(Self.textItem("m1", user: "fresh", text: "hi", at: now - 60)), \#(Self.textItem("m2", user: "stale", text: "hi", at: now - 49 * 3600))]}"#)
            }
            if (call.json?["text"] as? [String: Any])?["content"] as? String == "busy" {
                return FakeProvider.Reply(200, #"{"errcode": -1, "errmsg": "system busy"}"#)
            }
            return FakeProvider.Reply(200, #"{"errcode": 0, "errmsg": "ok", "msgid": "x"}"#)
        }
        try await fake.serve { base in
            let channel = WeComChannel(settings: WeComSettings(id: "wecom", corpID: "corp", secret: "S", openKfID: "wkKF", apiBase: base),
                                       client: sharedClient)
            _ = try await channel.fetch(after: nil)
            func message(_ id: String, to: String, text: String = "您好") -> OutboundMessage {
                OutboundMessage(id: id, channel: "wecom", to: to, text: text, nextAttemptAt: Date(), createdAt: Date())
            }
            // A retryable failure gives its quota back.
            await #expect(throws: ChannelError.self) { try await channel.send(message("busy-1", to: "fresh", text: "busy")) }
            for index in 0..<5 { try await channel.send(message("row-\(index)", to: "fresh")) }
            let sends = fake.recorded.filter { $0.path == "/cgi-bin/kf/send_msg" }
            #expect(sends.last?.json?["msgid"] as? String == "row-4")
            #expect(sends.last?.json?["touser"] as? String == "fresh" && sends.last?.json?["msgtype"] as? String == "text")
            do {
                try await channel.send(message("row-5", to: "fresh"))
                Issue.record("a sixth message was sent")
            } catch let error as ChannelError {
                #expect(error.retry == .never && error.description.contains("5 messages"))
            }
            do {
                try await channel.send(message("row-6", to: "stale"))
                Issue.record("sent outside the 48-hour window")
            } catch let error as ChannelError {
                #expect(error.retry == .never && error.description.contains("48-hour"))
            }
            #expect(fake.recorded.filter { $0.path == "/cgi-bin/kf/send_msg" }.count == 6)
            #expect(WeComChannel.msgid(for: "mhz3k1c0w-42-1kz9x0") == "mhz3k1c0w-42-1kz9x0")
            #expect(WeComChannel.msgid(for: String(repeating: "x", count: 40)).count == 32)
        }
    }

    @Test("the window rules (pure)")
    func windowPolicy() {
        let policy = WeComWindowPolicy()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(policy.refusal(lastCustomerMessage: nil, sentSince: 0, now: now) == nil)
        #expect(policy.refusal(lastCustomerMessage: now.addingTimeInterval(-47 * 3600), sentSince: 4, now: now) == nil)
        #expect(policy.refusal(lastCustomerMessage: now.addingTimeInterval(-47 * 3600), sentSince: 5, now: now) != nil)
        #expect(policy.refusal(lastCustomerMessage: now.addingTimeInterval(-48 * 3600 - 1), sentSince: 0, now: now) != nil)
    }
}
