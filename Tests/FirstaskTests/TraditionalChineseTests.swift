import Foundation
import Testing
@testable import FirstaskClassifier

/// The generated OpenCC table (scripts/generate-traditional-table.py) and how the normaliser uses it.
@Suite("TraditionalChinese")
struct TraditionalChineseTests {
    @Test("maps traditional characters to OpenCC's default simplified form", arguments: [
        ("電", "电"), ("梯", "梯"), ("滲", "渗"), ("樓", "楼"), ("裡", "里"), ("裏", "里"), ("廚", "厨"),
        ("乾", "干"), ("於", "于"), ("麵", "面"), ("髮", "发"), ("臺", "台"), ("颱", "台"), ("檯", "台"),
        ("衞", "卫"), ("啟", "启"), ("為", "为"), ("眾", "众"), ("線", "线"), ("綫", "线"),
    ])
    func spotChecks(traditional: String, simplified: String) throws {
        let source = try #require(traditional.unicodeScalars.first)
        let expected = try #require(simplified.unicodeScalars.first)
        #expect((TraditionalChinese.simplified(source) ?? source) == expected)
    }

    @Test("Hong Kong and Taiwan variants map through OpenCC's reversed variant tables")
    func regionalVariants() {
        // 著 is the Taiwan standard form of 着 (TWVariants 着 → 著): 著火 is 着火.
        #expect(TraditionalChinese.simplified("著") == "着")
        // 衹 is the Hong Kong form of 只; 潀 the variant of 潨 (HKVariants).
        #expect(TraditionalChinese.simplified("衹") == "只")
        #expect(TraditionalChinese.simplified("稜") == "棱")
        #expect(TraditionalChinese.simplified("簷") == "檐")
        #expect(TraditionalChinese.simplified("汙") == "污")
    }

    @Test("simplified characters are left alone, even where a variant table lists them", arguments: [
        "着", "么", "才", "台", "只", "里", "电", "干", "后", "面", "系", "吃", "梁", "a", "1", "😀",
    ])
    func simplifiedUnchanged(character: String) throws {
        let scalar = try #require(character.unicodeScalars.first)
        #expect(TraditionalChinese.simplified(scalar) == nil)
    }

    @Test("compatibility ideographs and supplementary-plane characters are covered")
    func outsideTheBasicBlock() {
        #expect(TraditionalChinese.simplified("\u{F91D}") == "栏")   // 欄 compatibility form
        #expect(TraditionalChinese.simplified("\u{F900}") == "岂")   // 豈 compatibility form
        #expect(TraditionalChinese.simplified("\u{3473}") == "\u{3447}") // Extension A: 㑳 → 㑇
        let supplementary = TraditionalChinese.entries.filter { $0.traditional >= 0x20000 }
        #expect(!supplementary.isEmpty)
        for entry in supplementary {
            #expect(TraditionalChinese.simplified(Unicode.Scalar(entry.traditional)!)?.value == entry.simplified)
        }
    }

    @Test("the table is sorted by traditional scalar, one entry each, never mapping a character to itself")
    func sortedAndUnique() {
        let entries = TraditionalChinese.entries
        #expect(entries.count == 4235)
        for (previous, next) in zip(entries, entries.dropFirst()) {
            #expect(previous.traditional < next.traditional, "\(previous.traditional) before \(next.traditional)")
        }
        #expect(entries.allSatisfy { $0.traditional != $0.simplified })
        #expect(entries.allSatisfy { Unicode.Scalar($0.simplified) != nil })
    }

    @Test("every entry is found by lookup, and nothing outside the table is")
    func lookupAgreesWithEntries() {
        var expected: [UInt32: UInt32] = [:]
        for entry in TraditionalChinese.entries { expected[entry.traditional] = entry.simplified }
        for value in UInt32(0x3000)...UInt32(0x10000) {
            guard let scalar = Unicode.Scalar(value) else { continue }
            #expect(TraditionalChinese.simplified(scalar)?.value == expected[value])
        }
    }

    @Test("reply locale detection follows the dev corpus's zh-Hans and zh-Hant labels")
    func localeOnDevCorpus() throws {
        // Compatibility ideographs map onto everyday characters (U+F9BA → 了); counting those targets as
        // simplified-only once turned six traditional messages simplified.
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/dev.jsonl")
        var wrong: [String] = []
        var checked = 0
        for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") {
            let row = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            guard let lang = row["lang"] as? String, lang == "zh-Hans" || lang == "zh-Hant",
                  let text = row["text"] as? String else { continue }
            checked += 1
            if ReplyLocale.detect(text).rawValue != lang { wrong.append(text) }
        }
        #expect(checked == 300)
        #expect(wrong.isEmpty, "\(wrong)")
    }

    @Test("the normaliser applies the table, and reply locale detection still tells the scripts apart")
    func normaliserAndLocale() {
        #expect(TextNormalizer.normalizedString("電梯壞咗，廚房著火") == "电梯坏咗,厨房着火")
        #expect(ReplyLocale.detect("樓上滲水到我屋企") == .zhHant)
        #expect(ReplyLocale.detect("楼上渗水到我家") == .zhHans)
    }
}
