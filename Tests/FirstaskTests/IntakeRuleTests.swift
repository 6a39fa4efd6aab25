import FirstaskApp
import FirstaskChannels
import FirstaskCurl
import FirstaskDesk
import FirstaskTesting
import Foundation
import Testing

@Suite("Intake rule: unreadable text or sender is recorded, never a ticket, answered as the provider needs")
struct IntakeRuleTests {
    /// Kannel get-url calls whose text is not valid in its declared charset, or whose sender is not an address.
    static let garbledKannel: [(query: String, reason: String)] = [
        ("id=k1&from=%2B8613912345678&text=%FF%FE%FD%80abc&charset=UTF-8&coding=0", "text is not valid UTF-8"),
        ("id=k2&from=%2B8613912345678&text=%C0%AF&charset=UTF-8&coding=0", "text is not valid UTF-8"),
        ("id=k3&from=%2B8613912345678&text=%E6%BC%8F%E6%B0&charset=UTF-8&coding=0", "text is not valid UTF-8"),
        ("id=k4&from=%2B8613912345678&text=%6F%22%6C&charset=UTF-16BE&coding=2", "text is not valid UTF-16BE"),
        ("id=k5&from=%2B8613912345678&text=%D8%3D%00%41&charset=UTF-16BE&coding=2", "text is not valid UTF-16BE"),
        ("id=k6&from=%FF%FE&text=%E6%BC%8F%E6%B0%B4&charset=UTF-8&coding=0", "the sender address is not 1–64 printable ASCII characters"),
    ]

    @Test("Kannel: each garbled call is answered 200 (so Kannel does not retry), recorded with its bytes and reason, and opens no ticket")
    func kannelThroughTheListener() async throws {
        try await withWebhookGateway(logs: CapturedLogs()) { gateway, url, client in
            for call in Self.garbledKannel {
                let response = try await client.execute(HTTPRequest(url: url + "?" + call.query + "&secret=hook-secret"))
                #expect(response.status == 200, "\(call.query)")
            }
            #expect(try await gateway.store.inboundCount() == 0)
            let rejected = try await gateway.store.rejectedInbound()
            try #require(rejected.map(\.reason) == Self.garbledKannel.map(\.reason))
            #expect(rejected[0].raw.contains(#"text=\xFF\xFE\xFD\x80abc"#), "\(rejected[0].raw)")
            #expect(rejected[2].raw.contains(#"text=漏\xE6\xB0"#), "\(rejected[2].raw)")
            #expect(rejected[5].raw.contains(#"from=\xFF\xFE"#), "\(rejected[5].raw)")
            for entry in rejected { #expect(!entry.reason.contains("8613912345678")) }

            // The same channel still takes a readable message, in UTF-8 and UTF-16BE.
            let good = try await client.execute(HTTPRequest(
                url: url + "?id=k7&from=%2B8613912345678&text=%E6%BC%8F%E6%B0%B4&charset=UTF-8&coding=0&secret=hook-secret"))
            let utf16 = try await client.execute(HTTPRequest(
                url: url + "?id=k8&from=%2B8613912345678&text=%6F%0F%6C%34&charset=UTF-16BE&coding=2&secret=hook-secret"))
            #expect(good.status == 200 && utf16.status == 200)
            #expect(try await gateway.store.inboundCount() == 2)

            // The admin API counts rejections per channel.
            let counts = try await client.execute(HTTPRequest(
                url: url.replacingOccurrences(of: "/webhooks/sms", with: "/api/intake/rejected"),
                headers: [(name: "Authorization", value: "Bearer webhook-test-admin-token")]))
            #expect(counts.status == 200)
            let object = try StrictJSON.object(counts.body)
            #expect((object["channels"] as? [String: Any])?["sms"] as? Int == Self.garbledKannel.count)
        }
    }

    @Test("Twilio: a Body with invalid bytes is recorded and answered 400 (Twilio shows it in its debugger); no ticket")
    func twilioThroughTheListener() async throws {
        try await withWebhookGateway(logs: CapturedLogs()) { gateway, url, client in
            let twilio = url.replacingOccurrences(of: "/webhooks/sms", with: "/webhooks/tw")
            func post(_ body: String) async throws -> HTTPResponse {
                let signature = TwilioSignature.compute(authToken: twilioTestToken, url: twilioTestURL,
                                                        parameters: FormEncoding.decodeStrings(body))
                return try await client.execute(HTTPRequest(
                    method: .post, url: twilio,
                    headers: [(name: "X-Twilio-Signature", value: signature), (name: "Content-Type", value: "application/x-www-form-urlencoded")],
                    body: Data(body.utf8)))
            }
            let garbled = try await post("MessageSid=SM1&From=%2B8613912345678&To=%2B1&Body=%FF%FE%E6%BC&NumMedia=0")
            #expect(garbled.status == 400)
            #expect(String(decoding: garbled.body, as: UTF8.self).contains("text is not valid UTF-8"))
            let noSender = try await post("MessageSid=SM2&From=%FF%FE&To=%2B1&Body=hello&NumMedia=0")
            #expect(noSender.status == 400)
            #expect(try await gateway.store.inboundCount() == 0)
            let rejected = try await gateway.store.rejectedInbound()
            try #require(rejected.map(\.channel) == ["tw", "tw"])
            #expect(rejected.first?.raw.contains(#"text=\xFF\xFE\xE6\xBC"#) == true)

            let good = try await post("MessageSid=SM3&From=%2B8613912345678&To=%2B1&Body=%E6%BC%8F%E6%B0%B4&NumMedia=0")
            #expect(good.status == 200)
            #expect(try await gateway.store.inboundCount() == 1)
        }
    }

    @Test("Telegram and WeCom: a text that is not UTF-8 is rejected with its bytes; the update or page is otherwise read")
    func jsonChannels() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        var update = Array(#"{"update_id": 9, "message": {"chat": {"id": 77}, "date": 1, "text": "漏"#.utf8)
        update += [0xE6, 0xB0]
        update += Array(#""}}"#.utf8)
        let telegram = TelegramChannel(settings: TelegramSettings(id: "tg", token: "t", mode: .webhook, webhookSecret: "s"),
                                       client: CurlHTTPClient())
        let intake = try telegram.parseWebhook(WebhookRequest(method: "POST", path: "/webhooks/tg", query: "",
                                                              headers: [(name: "X-Telegram-Bot-Api-Secret-Token", value: "s")],
                                                              body: Data(update)), now: now)
        #expect(intake.messages.isEmpty && intake.refusal == nil)
        #expect(intake.rejected.map(\.reason) == ["text is not valid UTF-8"])
        #expect(intake.rejected.first?.raw.contains(#"漏\xE6\xB0"#) == true)

        var sync = Array(#"{"errcode": 0, "next_cursor": "n", "has_more": 0, "msg_list": [{"msgid": "m1", "origin": 3, "external_userid": "wmUser", "msgtype": "text", "text": {"content": "a"#.utf8)
        sync += [0xC0, 0xAF]
        sync += Array(#""}}, {"msgid": "m2", "origin": 3, "external_userid": "wmUser", "msgtype": "text", "text": {"content": "漏水"}}]}"#.utf8)
        let page = WeComChannel.parseSync(try StrictJSON.object(sync, unreadableStrings: .keep), channel: "wc", now: now)
        #expect(page.messages.map(\.providerID) == ["m2"])
        #expect(page.rejected.map(\.reason) == ["text is not valid UTF-8"])
    }

    @Test("decoding is strict in every declared encoding", arguments: [
        ([0xFF, 0xFE, 0xFD, 0x80, 0x61], IntakeRule.Encoding.utf8, nil as String?),
        ([0xC0, 0xAF], .utf8, nil),
        ([0xED, 0xA0, 0x80], .utf8, nil),  // an encoded surrogate
        ([0xE6, 0xBC, 0x8F], .utf8, "漏"),
        ([0x6F, 0x0F, 0x6C], .utf16BE, nil),
        ([0xDC, 0x00, 0x00, 0x41], .utf16BE, nil),
        ([0xD8, 0x3D, 0xDE, 0x00], .utf16BE, "😀"),
        ([0xE9, 0x74, 0xE9], .latin1, "été"),
        ([0x80, 0x31], .windows1252, "€1"),
        ([0x81], .windows1252, nil),
    ])
    func strictDecoding(bytes: [UInt8], encoding: IntakeRule.Encoding, expected: String?) {
        #expect(IntakeRule.decode(bytes, as: encoding) == expected)
    }

    @Test("raw bytes are kept capped, invalid bytes and backslashes escaped")
    func escaping() {
        #expect(IntakeRule.escaped(Array("漏水".utf8) + [0xFF, 0x5C, 0x0A]) == #"漏水\xFF\x5C\x0A"#)
        let long = IntakeRule.escaped([UInt8](repeating: 0x61, count: 5000))
        #expect(long.hasPrefix(String(repeating: "a", count: IntakeRule.maxRawBytes)) && long.hasSuffix("…(5000 bytes)"))
    }
}
