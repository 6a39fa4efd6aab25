import FirstaskChannels
import FirstaskCurl
import FirstaskDesk
import FirstaskTesting
import Foundation
import Synchronization
import Testing

/// One adapter in the shared contract table: how to make it against a fake provider, how the provider
/// delivers a sample message, and how the provider answers sends (success, rate limit, server error, final).
struct ChannelCase: Sendable, CustomTestStringConvertible {
    enum Intake: Sendable {
        /// The adapter polls: the fake answers the first poll with `page`, later polls with `empty`.
        case poll(page: FakeProvider.Reply, empty: FakeProvider.Reply)
        /// The provider calls the webhook with this request.
        case webhook(@Sendable () -> WebhookRequest)
    }

    var name: String
    var secrets: [String]
    var make: @Sendable (_ base: String, _ client: CurlHTTPClient) -> any MessageSink
    var intake: Intake
    /// The fake's answer to a send: success, rate limited (expected retry), server error, final error.
    var success: FakeProvider.Reply
    var rateLimited: (FakeProvider.Reply, ChannelError.Retry)
    var serverError: FakeProvider.Reply
    var finalError: FakeProvider.Reply
    /// Answers anything that is not a send (e.g. WeCom's token endpoint), or `nil`.
    var other: @Sendable (FakeProvider.Call) -> FakeProvider.Reply? = { _ in nil }
    /// Whether a recorded call is a send, and the text it carries.
    var sentText: @Sendable (FakeProvider.Call) -> String?

    var testDescription: String { name }

    static let text = "3栋2单元501厨房漏水 + 100% & more"
    static let phone = "+8613912345678"
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static let all: [ChannelCase] = [
        ChannelCase(
            name: "http-inbox", secrets: ["inbox-token-123"],
            make: { base, client in HTTPInboxChannel(settings: HTTPInboxSettings(id: "c", baseURL: base, token: "inbox-token-123"), client: client) },
            intake: .poll(page: .init(200, #"{"messages": [{"id": "P1", "from": "\#(phone)", "text": "\#(text)"}], "next": "7"}"#),
                          empty: .init(200, #"{"messages": [], "next": "7"}"#)),
            success: .init(200, "{}"), rateLimited: (.init(429, "", headers: ["Retry-After": "4"]), .after(seconds: 4)),
            serverError: .init(500, ""), finalError: .init(400, ""),
            sentText: { $0.path == "/send" ? $0.json?["text"] as? String : nil }),
        ChannelCase(
            name: "kannel", secrets: ["kannel-pass", "hooksecret"],
            make: { base, client in KannelChannel(settings: KannelSettings(id: "c", sendsmsURL: base + "/cgi-bin/sendsms", username: "u",
                                                                           password: "kannel-pass", secret: "hooksecret"), client: client) },
            intake: .webhook { WebhookRequest(method: "GET", path: "/webhooks/c",
                                              query: "id=P1&from=\(FormEncoding.encode(phone))&text=\(FormEncoding.encode(text))&charset=UTF-8&secret=hooksecret",
                                              headers: [], body: Data()) },
            success: .init(202, "0: Accepted for delivery"), rateLimited: (.init(503, "Temporal failure, try again later."), .backoff),
            serverError: .init(500, ""), finalError: .init(403, "Authorization failed for sendsms"),
            sentText: { $0.path == "/cgi-bin/sendsms" ? FormEncoding.decodeStrings($0.query).first { $0.name == "text" }?.value : nil }),
        ChannelCase(
            name: "twilio", secrets: ["twilio-auth-token"],
            make: { base, client in TwilioChannel(settings: TwilioSettings(id: "c", accountSID: "AC1", authToken: "twilio-auth-token", from: "+1",
                                                                           publicURL: "https://gw/webhooks/c", apiBase: base), client: client) },
            intake: .webhook {
                let form = [("MessageSid", "P1"), ("From", phone), ("Body", text)]
                let signature = TwilioSignature.compute(authToken: "twilio-auth-token", url: "https://gw/webhooks/c",
                                                        parameters: form.map { (name: $0.0, value: $0.1) })
                return WebhookRequest(method: "POST", path: "/webhooks/c", query: "", headers: [(name: "X-Twilio-Signature", value: signature)],
                                      body: Data(FormEncoding.encode(form).utf8))
            },
            success: .init(201, #"{"sid": "SM1"}"#), rateLimited: (.init(429, #"{"code": 20429}"#), .backoff),
            serverError: .init(500, ""), finalError: .init(400, #"{"code": 21211}"#),
            sentText: { $0.path.hasSuffix("/Messages.json") ? $0.form["Body"] : nil }),
        ChannelCase(
            name: "telegram", secrets: ["42:BOTTOKEN"],
            make: { base, client in TelegramChannel(settings: TelegramSettings(id: "c", token: "42:BOTTOKEN", pollTimeout: 0, apiBase: base), client: client) },
            intake: .poll(page: .init(200, #"{"ok": true, "result": [{"update_id": 1, "message": {"message_id": 1, "date": 1, "chat": {"id": 8613912345678}, "text": "\#(text)"}}]}"#),
                          empty: .init(200, #"{"ok": true, "result": []}"#)),
            success: .init(200, #"{"ok": true, "result": {}}"#),
            rateLimited: (.init(429, #"{"ok": false, "error_code": 429, "description": "Too Many Requests", "parameters": {"retry_after": 3}}"#), .after(seconds: 3)),
            serverError: .init(502, ""), finalError: .init(400, #"{"ok": false, "error_code": 400, "description": "Bad Request: chat not found"}"#),
            sentText: { $0.path.hasSuffix("/sendMessage") ? $0.json?["text"] as? String : nil }),
        ChannelCase(
            name: "wecom-kf", secrets: ["wecom-secret", "ACCESS-TOKEN"],
            make: { base, client in WeComChannel(settings: WeComSettings(id: "c", corpID: "corp", secret: "wecom-secret", openKfID: "wk", apiBase: base),
                                                 client: client) },
            intake: .poll(page: .init(200, #"{"errcode": 0, "next_cursor": "n1", "has_more": 0, "msg_list": [{"msgid": "P1", "origin": 3, "external_userid": "\#(phone)", "send_time": \#(Int(Date().timeIntervalSince1970)), "msgtype": "text", "text": {"content": "\#(text)"}}]}"#),
                          empty: .init(200, #"{"errcode": 0, "next_cursor": "n1", "has_more": 0, "msg_list": []}"#)),
            success: .init(200, #"{"errcode": 0, "msgid": "x"}"#), rateLimited: (.init(200, #"{"errcode": 45033, "errmsg": "api concurrent out of limit"}"#), .after(seconds: 5)),
            serverError: .init(200, #"{"errcode": -1, "errmsg": "system busy"}"#), finalError: .init(200, #"{"errcode": 40003, "errmsg": "invalid userid"}"#),
            other: { $0.path == "/cgi-bin/gettoken" ? .init(200, #"{"errcode": 0, "access_token": "ACCESS-TOKEN", "expires_in": 7200}"#) : nil },
            sentText: { $0.path == "/cgi-bin/kf/send_msg" ? ($0.json?["text"] as? [String: Any])?["content"] as? String : nil }),
    ]
}

/// Which reply the fake gives to sends, switched by the test.
final class SendScript: Sendable {
    let reply = Mutex<FakeProvider.Reply?>(nil)
}

@Suite("Channel contract: every adapter passes the same table of cases", .serialized)
struct ChannelContractTests {
    @Test("parse, dedupe, cursor, send, error mapping, no secrets or numbers in errors", arguments: ChannelCase.all)
    func contract(_ channelCase: ChannelCase) async throws {
        let script = SendScript()
        let polls = Mutex(0)
        let fake = FakeProvider { call, _ in
            if let other = channelCase.other(call) { return other }
            if channelCase.sentText(call) != nil { return script.reply.withLock { $0 } ?? channelCase.success }
            if case let .poll(page, empty) = channelCase.intake {
                return polls.withLock { count in count += 1; return count == 1 ? page : empty }
            }
            return FakeProvider.Reply(404, "")
        }
        try await fake.serve { base in
            let client = CurlHTTPClient()
            defer { client.shutdown() }
            let sink = channelCase.make(base, client)
            let store = InMemoryStore()

            // Parse: the sample message arrives whole, with its provider id; the second delivery is a duplicate.
            var first: InboundMessage?
            var cursor: String?
            for round in 0..<2 {
                let messages: [InboundMessage]
                switch channelCase.intake {
                case .poll:
                    let source = try #require(sink as? any MessageSource)
                    let page = try await source.fetch(after: cursor)
                    if round == 0 { #expect(page.next != nil, "the first page moves the cursor") } else { #expect(page.messages.isEmpty && (page.next == nil || page.next == cursor)) }
                    cursor = page.next ?? cursor
                    messages = round == 0 ? page.messages : (first.map { [$0] } ?? [])  // a poller redelivery after a crash
                case let .webhook(request):
                    let webhook = try #require(sink as? any WebhookChannel)
                    messages = try webhook.parseWebhook(request(), now: ChannelCase.now).messages
                }
                if round == 0 { first = messages.first }
                let stored = try await store.storeInbound(InboundBatch(channel: "c", messages: messages, cursor: cursor))
                #expect(stored == (round == 0 ? 1 : 0), "round \(round)")
            }
            let message = try #require(first)
            #expect(message.text == ChannelCase.text)
            #expect(message.from.hasSuffix("8613912345678"))
            #expect(!message.providerID.isEmpty)

            // Send: the text reaches the provider intact.
            let outbound = OutboundMessage(id: "row-1", channel: "c", to: ChannelCase.phone, text: "您好 T0001 & 100%", nextAttemptAt: ChannelCase.now,
                                           createdAt: ChannelCase.now)
            try await sink.send(outbound)
            #expect(fake.recorded.compactMap(channelCase.sentText).last == "您好 T0001 & 100%")

            // Error mapping, and errors that name no secret, number or text.
            for (reply, expected) in [channelCase.rateLimited, (channelCase.serverError, .backoff), (channelCase.finalError, .never)] {
                script.reply.withLock { $0 = reply }
                do {
                    try await sink.send(outbound)
                    Issue.record("send succeeded against \(reply.status) \(reply.body)")
                } catch let error as ChannelError {
                    #expect(error.retry == expected, "\(reply.status) \(reply.body)")
                    let description = error.description
                    for secret in channelCase.secrets + [ChannelCase.phone, "8613912345678", "您好"] {
                        #expect(!description.contains(secret), "error text leaks \(secret): \(description)")
                    }
                }
            }
            // A provider that is down is retried.
            let down: any MessageSink = channelCase.make("http://127.0.0.1:9", client)
            do {
                try await down.send(outbound)
                Issue.record("send to a closed port succeeded")
            } catch let error as ChannelError {
                #expect(error.retry == .backoff)
                for secret in channelCase.secrets { #expect(!error.description.contains(secret)) }
            }
        }
    }
}
