import FirstaskChannels
import FirstaskDesk
import Foundation
import Testing

@Suite("JSON text helpers on the hot path")
struct JSONTextTests {
    @Test("quoting escapes exactly what JSON needs, and the result parses back to the same text", arguments: [
        "您好，工单 T0001", "say \"hi\"\\now", "line\nbreak\ttab\r", "\u{0001}\u{001F}", "“引号” 和 \u{2028} 分隔", "", "emoji 🚿💧",
    ])
    func quotesRoundTrip(text: String) throws {
        let quoted = JSONText.quote(text)
        let parsed = try JSONSerialization.jsonObject(with: Data("[\(quoted)]".utf8)) as? [String]
        #expect(parsed == [text])
        #expect(!quoted.contains("\n"))
    }

    @Test("objects are well-formed JSON")
    func objects() throws {
        let body = JSONText.object(["id": "k-1", "to": "+86139", "text": "漏水\"了\""])
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: String])
        #expect(parsed == ["id": "k-1", "to": "+86139", "text": "漏水\"了\""])
    }

    @Test("timestamps: RFC 3339 forms parse; garbage does not", arguments: [
        ("2026-11-29T08:15:00Z", 1_795_940_100.0),
        ("2026-11-29T16:15:00+08:00", 1_795_940_100.0),
        ("2026-11-29 08:15:00.250Z", 1_795_940_100.25),
        ("1970-01-01T00:00:00Z", 0.0),
        ("2000-02-29T12:00:00-05:30", 951_845_400.0),
    ])
    func parsesTimestamps(text: String, epoch: Double) {
        #expect(JSONText.parseTimestamp(text)?.timeIntervalSince1970 == epoch)
    }

    @Test("malformed timestamps are nil", arguments: ["", "2026-13-01T00:00:00Z", "2026-11-29", "2026-11-29T08:15:00", "yesterday",
                                                     "2026-11-29T08:15:00Zjunk", "2026-11-29T25:00:00Z"])
    func rejectsTimestamps(text: String) {
        #expect(JSONText.parseTimestamp(text) == nil)
    }

    @Test("formatting and parsing a timestamp agree, to the millisecond")
    func timestampRoundTrip() {
        for seconds in [0.0, 1_795_940_100.123, 951_782_400.999, 4_102_444_800.5] {
            let date = Date(timeIntervalSince1970: seconds)
            let text = JSONText.timestamp(date)
            let back = JSONText.parseTimestamp(text)?.timeIntervalSince1970 ?? -1
            #expect(abs(back - seconds) < 0.001, "\(text)")
        }
        #expect(JSONText.timestamp(Date(timeIntervalSince1970: 1_795_940_100)) == "2026-11-29T08:15:00.000Z")
    }
}

@Suite("Outbox ids")
struct OutboxIDTests {
    @Test("ids are unique and sort in the order they were made")
    func increasing() {
        let generator = FirstaskDesk.OutboxIDGenerator()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let ids = (0..<1000).map { index in generator.next(now: now.addingTimeInterval(Double(index / 10) / 1000)) }
        #expect(Set(ids).count == ids.count)
        let times = ids.map { $0.split(separator: "-")[0] }
        #expect(times == times.sorted())
        #expect(FirstaskDesk.OutboxIDGenerator().next(now: now) != generator.next(now: now))
    }
}
