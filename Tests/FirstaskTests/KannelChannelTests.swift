import FirstaskChannels
import FirstaskCurl
import FirstaskDesk
import Foundation
import Testing

@Suite("Kannel channel: get-url, dlr-url and sendsms wire format")
struct KannelChannelTests {
    let client = CurlHTTPClient()
    var channel: KannelChannel {
        KannelChannel(settings: KannelSettings(id: "sms", sendsmsURL: "http://127.0.0.1:13013/cgi-bin/sendsms", username: "u",
                                               password: "p w", from: "10086", dlrURL: "http://gw:8080/webhooks/sms", secret: "s3"),
                      client: client)
    }
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func get(_ query: String, method: String = "GET") -> WebhookRequest {
        WebhookRequest(method: method, path: "/webhooks/sms", query: query, headers: [], body: Data())
    }

    @Test("a UTF-8 MO (%b with %C=UTF-8 after mo-recode) keeps its Chinese text and line break; %I is the dedup key")
    func utf8MO() throws {
        let intake = try channel.parseWebhook(get(
            "id=68cda604-fc3d&from=%2B8613900000001&to=10086&text=%E4%B8%AD%E6%96%87%0A%E4%B8%AD&charset=UTF-8&coding=0&time=1795939265&secret=s3"),
            now: now)
        let message = try #require(intake.messages.first)
        #expect(message.providerID == "68cda604-fc3d")
        #expect(message.from == "+8613900000001")
        #expect(message.text == "中文\n中")
        #expect(message.receivedAt == Date(timeIntervalSince1970: 1_795_939_265))
    }

    @Test("a UTF-16BE MO (mo-recode off) is decoded from its bytes; + in %b is a space")
    func utf16MO() throws {
        let intake = try channel.parseWebhook(get("id=1&from=123&text=%4E%2D%00+%65%87&charset=UTF-16BE&coding=2&secret=s3"), now: now)
        #expect(intake.messages.first?.text == "中 文")
        let plain = try channel.parseWebhook(get("id=2&from=123&text=hello+world&charset=UTF-8&coding=0&secret=s3"), now: now)
        #expect(plain.messages.first?.text == "hello world")
    }

    @Test("binary MO and empty text are recorded as rejected, not refused (Kannel would drop them after retries)")
    func binaryRejected() throws {
        let binary = try channel.parseWebhook(get("id=1&from=123&text=%00%01&charset=8-BIT&coding=1&secret=s3"), now: now)
        #expect(binary.messages.isEmpty && binary.rejected.count == 1)
        let empty = try channel.parseWebhook(get("id=2&from=123&text=+&charset=UTF-8&secret=s3"), now: now)
        #expect(empty.messages.isEmpty && empty.rejected.first?.reason == "empty text")
    }

    @Test("wrong or missing secret → forbidden; missing id/from/text → malformed; DELETE → method not allowed")
    func refusals() {
        #expect(throws: WebhookError(.forbidden, "kannel webhook call without the configured secret")) {
            try channel.parseWebhook(get("id=1&from=1&text=a&charset=UTF-8&secret=wrong"), now: now)
        }
        #expect(throws: WebhookError.self) { try channel.parseWebhook(get("id=1&from=1&text=a"), now: now) }
        for query in ["from=1&text=a&secret=s3", "id=1&text=a&secret=s3", "id=1&from=1&secret=s3"] {
            do {
                _ = try channel.parseWebhook(get(query), now: now)
                Issue.record("accepted \(query)")
            } catch {
                #expect(error.code == .malformed)
                #expect(!error.reason.contains("+86"))
            }
        }
        do {
            _ = try channel.parseWebhook(get("id=1", method: "DELETE"), now: now)
            Issue.record("accepted DELETE")
        } catch {
            #expect(error.code == .methodNotAllowed)
        }
    }

    @Test("delivery reports map Kannel's %d to a state on the outbox row")
    func deliveryReports() throws {
        let delivered = try channel.parseWebhook(get("kind=dlr&outbox=abc-1&type=1&reply=&secret=s3"), now: now)
        #expect(delivered.reports == [DeliveryReport(outboxID: "abc-1", state: .delivered, detail: "dlr 1 ", at: now)])
        let acked = try channel.parseWebhook(get("kind=dlr&outbox=abc-1&type=8&reply=ACK%2F&secret=s3"), now: now)
        #expect(acked.reports.first?.state == .accepted)
        #expect(try channel.parseWebhook(get("kind=dlr&outbox=abc-1&type=16&secret=s3"), now: now).reports.first?.state == .rejected)
        #expect(throws: WebhookError.self) { try channel.parseWebhook(get("kind=dlr&outbox=abc-1&type=x&secret=s3"), now: now) }
    }

    @Test("sendsms: Chinese goes as charset=UTF-8&coding=2, plain text as coding=0, with a dlr-url naming the outbox row")
    func sendRequest() throws {
        let chinese = try channel.sendRequest(OutboundMessage(id: "row-1", channel: "sms", to: "+8613900000001", text: "您好 T0001",
                                                              nextAttemptAt: now, createdAt: now))
        let query = try #require(chinese.url.split(separator: "?", maxSplits: 1).last)
        let fields = Dictionary(FormEncoding.decodeStrings(String(query)), uniquingKeysWith: { a, _ in a })
        #expect(chinese.url.hasPrefix("http://127.0.0.1:13013/cgi-bin/sendsms?"))
        #expect(fields["charset"] == "UTF-8" && fields["coding"] == "2")
        #expect(fields["text"] == "您好 T0001" && fields["to"] == "+8613900000001" && fields["password"] == "p w")
        #expect(fields["dlr-mask"] == "31")
        #expect(fields["dlr-url"] == "http://gw:8080/webhooks/sms?kind=dlr&outbox=row-1&type=%d&reply=%A&secret=s3")
        let english = try channel.sendRequest(OutboundMessage(id: "row-2", channel: "sms", to: "1", text: "Ticket T0002 is open",
                                                              nextAttemptAt: now, createdAt: now))
        #expect(english.url.contains("coding=0"))
    }

    @Test("empty texts and texts longer than max_parts are final errors, never sent")
    func refusedSends() {
        for text in ["", "  \n", String(repeating: "长", count: 67 * 10 + 1)] {
            do {
                _ = try channel.sendRequest(OutboundMessage(id: "r", channel: "sms", to: "1", text: text, nextAttemptAt: now, createdAt: now))
                Issue.record("built a request for a text of \(text.count) characters")
            } catch {
                #expect(error.retry == .never)
            }
        }
    }
}

@Suite("SMS segmentation (pure)")
struct SMSSegmenterTests {
    @Test("UCS-2: 70 characters fit one SMS, 71 take two parts of at most 67")
    func ucs2() {
        #expect(SMSSegmenter.split(String(repeating: "中", count: 70)).parts.count == 1)
        let two = SMSSegmenter.split(String(repeating: "中", count: 71))
        #expect(two.encoding == .ucs2 && two.parts.map(\.count) == [67, 4])
        #expect(SMSSegmenter.partCount(String(repeating: "中", count: 134)) == 2)
        #expect(SMSSegmenter.partCount(String(repeating: "中", count: 135)) == 3)
    }

    @Test("GSM 7-bit: 160 fit one SMS, 161 take parts of 153; extension characters count two")
    func gsm() {
        #expect(SMSSegmenter.split(String(repeating: "a", count: 160)) == (.gsm7, [String(repeating: "a", count: 160)]))
        #expect(SMSSegmenter.split(String(repeating: "a", count: 161)).parts.map(\.count) == [153, 8])
        #expect(SMSSegmenter.length(of: "a€[", as: .gsm7) == 5)
        #expect(SMSSegmenter.partCount(String(repeating: "€", count: 81)) == 2)
        #expect(SMSSegmenter.encoding(for: "Flat 12 — lift") == .ucs2)  // the em dash is not GSM
    }

    @Test("an emoji's surrogate pair is never split across parts; the parts join back to the text")
    func surrogates() {
        let text = String(repeating: "中", count: 66) + "😀" + String(repeating: "中", count: 10)
        let parts = SMSSegmenter.split(text).parts
        #expect(parts.joined() == text)
        #expect(parts.allSatisfy { $0.utf16.count <= 67 })
        #expect(parts[0].utf16.count == 66)
    }
}

@Suite("Form encoding")
struct FormEncodingTests {
    @Test("decoding keeps raw bytes, + is a space, stray % stays")
    func decode() {
        #expect(FormEncoding.decode("%E4%B8%AD+a%2B"[...]) == Array("中 a+".utf8))
        #expect(FormEncoding.decode("100%"[...]) == Array("100%".utf8))
        #expect(FormEncoding.decode("%zz%4"[...]) == Array("%zz%4".utf8))
        #expect(FormEncoding.encode("a b+中~") == "a%20b%2B%E4%B8%AD~")
    }
}
