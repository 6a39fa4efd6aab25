import FirstaskChannels
import FirstaskCurl
import FirstaskDesk
import Foundation
import Testing

/// SplitMix64: a seeded generator, so a failing input can be reproduced from the printed seed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Inputs for fuzzing: valid samples mutated (flips, cuts, splices, repeats), random bytes, invalid UTF-8,
/// deep nesting, and huge bodies.
struct Mutator {
    var random: SeededGenerator

    mutating func input(from samples: [[UInt8]]) -> [UInt8] {
        var bytes = samples[Int.random(in: 0..<samples.count, using: &random)]
        // Huge and deeply nested inputs are rarer: each costs as much as hundreds of small ones.
        switch Int.random(in: 0..<50, using: &random) {
        case 0..<5:  // random bytes
            return (0..<Int.random(in: 0..<512, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
        case 5..<10:  // invalid UTF-8 sequences spliced in
            let bad: [[UInt8]] = [[0xC3], [0xE4, 0xB8], [0xFF, 0xFE], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF]]
            for _ in 0..<Int.random(in: 1...5, using: &random) {
                bytes.insert(contentsOf: bad[Int.random(in: 0..<bad.count, using: &random)], at: Int.random(in: 0...bytes.count, using: &random))
            }
            return bytes
        case 10..<15:  // truncated
            return Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &random)))
        case 15:  // huge: the sample repeated, or one enormous value
            if Bool.random(using: &random) { return Array(repeating: bytes, count: 500).flatMap { $0 } }
            return bytes + Array(repeating: UInt8(ascii: "9"), count: 1 << 18)
        case 16:  // deep nesting
            let depth = Int.random(in: 100...5000, using: &random)
            return Array(repeating: UInt8(ascii: "["), count: depth) + Array(repeating: UInt8(ascii: "]"), count: depth)
        default:  // byte-level mutations
            for _ in 0..<Int.random(in: 1...8, using: &random) where !bytes.isEmpty {
                let index = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: bytes[index] = UInt8.random(in: 0...255, using: &random)
                case 1: bytes.remove(at: index)
                case 2: bytes.insert(Array("\"{}[]:,%&=+\\0-".utf8).randomElement(using: &random)!, at: index)
                default: bytes.insert(contentsOf: bytes[index..<min(bytes.count, index + 16)], at: index)
                }
            }
            return bytes
        }
    }
}

@Suite("Parser fuzzing: thousands of random and mutated bodies never crash a parser, and failures say why")
struct ParserFuzzTests {
    static let iterations = 2000
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let client = CurlHTTPClient()

    @Test("http-inbox poll pages")
    func httpInbox() {
        let samples = [Array(#"{"messages": [{"id": "1", "from": "+86139", "text": "厨房漏水", "received_at": "2026-11-29T08:00:00Z"}, {"id": 2, "from": "x", "text": "a"}], "next": "9"}"#.utf8)]
        var mutator = Mutator(random: SeededGenerator(state: 1))
        for _ in 0..<Self.iterations {
            let body = mutator.input(from: samples)
            do {
                let page = try HTTPInboxChannel.parsePage(Data(body), channel: "c", now: now)
                for item in page.rejected { #expect(!item.reason.isEmpty) }
            } catch let error as ChannelError {
                #expect(!error.message.isEmpty)
            } catch {
                Issue.record("unexpected error type \(type(of: error))")
            }
        }
    }

    @Test("Telegram getUpdates and WeCom sync_msg answers")
    func jsonAnswers() {
        let telegram = [Array(#"[{"update_id": 5, "message": {"message_id": 1, "date": 1, "chat": {"id": 77}, "text": "漏水"}}, {"update_id": 6, "edited_message": {"chat": {"id": 1}}}]"#.utf8)]
        let wecom = [Array(#"{"errcode": 0, "next_cursor": "n", "has_more": 1, "msg_list": [{"msgid": "m", "origin": 3, "external_userid": "u", "send_time": 1, "msgtype": "text", "text": {"content": "漏水"}}, {"msgid": "e", "origin": 4}]}"#.utf8)]
        var mutator = Mutator(random: SeededGenerator(state: 2))
        for _ in 0..<Self.iterations {
            if let json = try? JSONSerialization.jsonObject(with: Data(mutator.input(from: telegram)), options: [.fragmentsAllowed]) {
                do {
                    _ = try TelegramChannel.parseUpdates(json, channel: "c", now: now)
                } catch let error as ChannelError {
                    #expect(!error.message.isEmpty)
                } catch {
                    Issue.record("unexpected error type \(type(of: error))")
                }
            }
            if let object = try? JSONSerialization.jsonObject(with: Data(mutator.input(from: wecom))) as? [String: Any] {
                let page = WeComChannel.parseSync(object, channel: "c", now: now)
                for item in page.rejected { #expect(!item.reason.isEmpty) }
            }
        }
    }

    @Test("Kannel get-url and dlr-url queries, Twilio and Telegram webhook bodies")
    func webhooks() {
        let kannel = KannelChannel(settings: KannelSettings(id: "c", sendsmsURL: "http://x/s", username: "u", password: "p"), client: client)
        let twilio = TwilioChannel(settings: TwilioSettings(id: "c", accountSID: "AC", authToken: "t", from: "+1", publicURL: "https://gw/w"),
                                   client: client)
        let telegram = TelegramChannel(settings: TelegramSettings(id: "c", token: "t", mode: .webhook, webhookSecret: "s"), client: client)
        let queries = [Array("id=1&from=%2B86&to=1&text=%E5%8E%A8%0A&charset=UTF-8&coding=0&time=1".utf8),
                       Array("id=1&from=1&text=%4E%2D%00&charset=UTF-16BE&coding=2".utf8),
                       Array("kind=dlr&outbox=a-1&type=8&reply=ACK%2F".utf8)]
        let forms = [Array("MessageSid=SM1&From=%2B86&Body=%E5%8E%A8&NumMedia=0".utf8)]
        let updates = [Array(#"{"update_id": 1, "message": {"chat": {"id": 1}, "text": "x"}}"#.utf8)]
        var mutator = Mutator(random: SeededGenerator(state: 3))
        for _ in 0..<Self.iterations {
            let query = String(decoding: mutator.input(from: queries), as: UTF8.self)
            for method in ["GET", "POST"] {
                do {
                    let intake = try kannel.parseWebhook(WebhookRequest(method: method, path: "/", query: query, headers: [], body: Data()), now: now)
                    for item in intake.rejected { #expect(!item.reason.isEmpty) }
                    for message in intake.messages { #expect(!message.providerID.isEmpty && !message.text.isEmpty) }
                } catch {
                    #expect(!error.reason.isEmpty)
                }
            }
            // Signed with the right token, so the fuzzed body reaches the parser behind the signature check.
            let body = mutator.input(from: forms)
            let form = FormEncoding.decodeStrings(String(decoding: body, as: UTF8.self))
            let signature = TwilioSignature.compute(authToken: "t", url: "https://gw/w", parameters: form)
            do {
                _ = try twilio.parseWebhook(WebhookRequest(method: "POST", path: "/", query: "", headers: [(name: "X-Twilio-Signature", value: signature)],
                                                           body: Data(body)), now: now)
            } catch {
                #expect(!error.reason.isEmpty)
            }
            do {
                _ = try telegram.parseWebhook(WebhookRequest(method: "POST", path: "/", query: "", headers: [(name: "X-Telegram-Bot-Api-Secret-Token", value: "s")],
                                                             body: Data(mutator.input(from: updates))), now: now)
            } catch {
                #expect(!error.reason.isEmpty)
            }
        }
    }

    @Test("form decoding and Kannel text decoding of arbitrary bytes and charsets")
    func decoders() {
        var mutator = Mutator(random: SeededGenerator(state: 4))
        let charsets = ["UTF-8", "UTF-16BE", "WINDOWS-1252", "GSM", "8-BIT", "", "bogus"]
        for _ in 0..<Self.iterations {
            let bytes = mutator.input(from: [Array("a=%E4%B8%AD&b=+%&c".utf8)])
            _ = FormEncoding.decodePairs(String(decoding: bytes, as: UTF8.self)[...])
            if let encoding = KannelChannel.encoding(charset: charsets.randomElement(using: &mutator.random)!, coding: nil),
               let text = IntakeRule.decode(bytes, as: encoding) {
                // Strict: what decodes is exactly the bytes (nothing replaced by U+FFFD).
                if encoding == .utf8 { #expect(Array(text.utf8) == bytes) }
                if encoding == .utf16BE { #expect(text.utf16.count * 2 == bytes.count) }
            }
            _ = IntakeRule.escaped(bytes)
            let text = String(decoding: bytes.prefix(2000), as: UTF8.self)
            let split = SMSSegmenter.split(text)
            #expect(split.parts.joined() == text)
        }
    }
}
