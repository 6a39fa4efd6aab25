import FirstaskApp
import FirstaskChannels
import FirstaskCurl
import FirstaskTesting
import Foundation
import Testing

@Suite("Strict JSON: exactly RFC 8259, no duplicate keys, UTF-8 only")
struct StrictJSONTests {
    @Test("lax JSON that Foundation's readers may accept is refused, with a reason and a byte offset", arguments: [
        (#"{"register": "SM-1", "text": "x",}"#, "a trailing comma in an object"),
        (#"[1, 2,]"#, "a trailing comma in an array"),
        (#"{"a": 1 /* note */}"#, "',' or '}' expected in an object"),
        (#"// note"# + "\n{}", "comments are not JSON"),
        (#"{"a": 1, "a": 2}"#, "a key appears twice in one object"),
        (#"{'a': 1}"#, "an object key must be a string in double quotes"),
        (#"{"a": 01}"#, "a number must not start with 0"),
        (#"{"a": NaN}"#, "unexpected character where a value should be"),
        (#"{"a": "\ud83d"}"#, "a \\u escape is half of a surrogate pair"),
        (#"{"a": 1} x"#, "unexpected text after the value"),
        ("{\"a\": \"tab\there\"}", "a control character inside a string must be escaped"),
    ])
    func refusesLaxJSON(text: String, problem: String) {
        #expect { _ = try StrictJSON.parse(Array(text.utf8)) } throws: { error in
            (error as? StrictJSON.Error)?.problem == problem
        }
    }

    @Test("text that is not UTF-8 is refused, or kept as bytes when the caller records them")
    func invalidUTF8() throws {
        let bytes = Array(#"{"text": ""#.utf8) + [0xFF, 0xFE] + Array(#""}"#.utf8)
        #expect(throws: StrictJSON.Error.self) { try StrictJSON.parse(bytes) }
        let kept = try StrictJSON.object(bytes, unreadableStrings: .keep)
        #expect((kept["text"] as? StrictJSON.UnreadableString)?.bytes == [0xFF, 0xFE])
    }

    @Test("valid JSON reads as Foundation reads it")
    func readsValid() throws {
        let text = #" {"s": "漏水\n\u00e9\ud83d\ude00\"", "i": -12, "d": 2.5e3, "t": true, "f": false, "n": null, "a": [{}, [], 0]} "#
        let object = try StrictJSON.object(Array(text.utf8))
        #expect(object["s"] as? String == "漏水\né😀\"")
        #expect(object["i"] as? Int == -12 && object["d"] as? Double == 2500)
        #expect(object["t"] as? Bool == true && object["f"] as? Bool == false && object["n"] is NSNull)
        #expect((object["a"] as? [Any])?.count == 3)
        let foundation = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary)
        #expect(NSDictionary(dictionary: object) == foundation)
    }

    @Test("nesting is bounded")
    func depth() {
        let deep = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect(throws: StrictJSON.Error.self) { try StrictJSON.parse(Array(deep.utf8)) }
    }

    @Test("POST /api/written-complaints with a trailing comma is 400 with the reason, and registers nothing")
    func adminBodiesAreStrict() async throws {
        try await withWebhookGateway(logs: CapturedLogs()) { gateway, url, client in
            let api = url.replacingOccurrences(of: "/webhooks/sms", with: "/api/written-complaints")
            let response = try await client.execute(HTTPRequest(
                method: .post, url: api, headers: [(name: "Authorization", value: "Bearer webhook-test-admin-token")],
                body: Data(#"{"register": "SM-1", "text": "x",}"#.utf8)))
            #expect(response.status == 400)
            #expect(String(decoding: response.body, as: UTF8.self).contains("a trailing comma in an object"))
            let duplicate = try await client.execute(HTTPRequest(
                method: .post, url: api, headers: [(name: "Authorization", value: "Bearer webhook-test-admin-token")],
                body: Data(#"{"register": "SM-1", "text": "x", "text": "y"}"#.utf8)))
            #expect(duplicate.status == 400)
            #expect(try await gateway.store.tickets(.all).isEmpty)
        }
    }
}
