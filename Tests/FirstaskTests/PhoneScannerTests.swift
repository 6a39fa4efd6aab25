import Foundation
import Testing
import FirstaskClassifier

@Suite("PhoneScanner")
struct PhoneScannerTests {
    /// One number expected in a message: E.164 form and kind.
    struct Expected: Sendable, CustomTestStringConvertible {
        var text: String
        var e164: String
        var kind: PhoneNumber.Kind
        var testDescription: String { text }

        init(_ text: String, _ e164: String, _ kind: PhoneNumber.Kind) {
            self.text = text
            self.e164 = e164
            self.kind = kind
        }
    }

    // MARK: Positives, per kind

    @Test("mainland mobiles: 11 digits from 13-19, grouped as people write them, with +86 or 0086", arguments: [
        Expected("13812345678", "+8613812345678", .mainlandMobile),
        Expected("我电话13812345678，麻烦回电", "+8613812345678", .mainlandMobile),
        Expected("手机 138-1234-5678", "+8613812345678", .mainlandMobile),
        Expected("138 1234 5678 谢谢", "+8613812345678", .mainlandMobile),
        Expected("call 199.8765.4321 please", "+8619987654321", .mainlandMobile),
        Expected("+86 138 1234 5678", "+8613812345678", .mainlandMobile),
        Expected("+8615912345678", "+8615912345678", .mainlandMobile),
        Expected("(+86) 177-0000-1111", "+8617700001111", .mainlandMobile),
        Expected("0086 13812345678", "+8613812345678", .mainlandMobile),
        Expected("电话：１３８１２３４５６７８", "+8613812345678", .mainlandMobile),
        Expected("Tel.13812345678", "+8613812345678", .mainlandMobile),
    ])
    func mainlandMobiles(expected: Expected) {
        check(expected)
    }

    @Test("mainland landlines: 010, 02x or 0xxx area codes, 7 or 8 digits, the trunk 0 dropped in E.164", arguments: [
        Expected("010-62345678", "+861062345678", .mainlandLandline),
        Expected("前台电话 021 6123 4567", "+862161234567", .mainlandLandline),
        Expected("(0755)8888-6666", "+8675588886666", .mainlandLandline),
        Expected("0755-2345678", "+867552345678", .mainlandLandline),
        Expected("075528886666", "+8675528886666", .mainlandLandline),
        Expected("+86 10 8888 6666", "+861088886666", .mainlandLandline),
        Expected("+86 (0)755 8888 6666", "+8675588886666", .mainlandLandline),
    ])
    func mainlandLandlines(expected: Expected) {
        check(expected)
    }

    @Test("Hong Kong: eight digits from 2, 3, 5, 6, 7 or 9, optionally +852", arguments: [
        Expected("91234567", "+85291234567", .hongKong),
        Expected("搵我 9123 4567 唔該", "+85291234567", .hongKong),
        Expected("Call me on 6123 4567.", "+85261234567", .hongKong),
        Expected("+852 2345 6789", "+85223456789", .hongKong),
        Expected("+852-5123-4567", "+85251234567", .hongKong),
        Expected("00852 91234567", "+85291234567", .hongKong),
    ])
    func hongKong(expected: Expected) {
        check(expected)
    }

    @Test("Taiwan mobiles: 09 and eight digits, optionally +886", arguments: [
        Expected("0912-345-678", "+886912345678", .taiwanMobile),
        Expected("手機0912345678", "+886912345678", .taiwanMobile),
        Expected("0912 345678", "+886912345678", .taiwanMobile),
        Expected("+886 912 345 678", "+886912345678", .taiwanMobile),
        Expected("+886-912-345-678", "+886912345678", .taiwanMobile),
    ])
    func taiwanMobiles(expected: Expected) {
        check(expected)
    }

    @Test("Taiwan landlines: a 0x area code, nine or ten digits", arguments: [
        Expected("02-2345-6789", "+886223456789", .taiwanLandline),
        Expected("管理室電話(02)2345-6789", "+886223456789", .taiwanLandline),
        Expected("07-123-4567", "+88671234567", .taiwanLandline),
        Expected("049-2345678", "+886492345678", .taiwanLandline),
        Expected("+886 2 2345 6789", "+886223456789", .taiwanLandline),
    ])
    func taiwanLandlines(expected: Expected) {
        check(expected)
    }

    @Test("international: + and a country code, 8 to 15 digits", arguments: [
        Expected("+1 415 555 2671", "+14155552671", .international),
        Expected("my UK number is +44 20 7946 0958", "+442079460958", .international),
        Expected("+853 6612 3456", "+85366123456", .international),
        Expected("+65 9123 4567", "+6591234567", .international),
        Expected("0044 20 7946 0958", "+442079460958", .international),
        Expected("+33 1 23 45 67 89", "+33123456789", .international),
    ])
    func international(expected: Expected) {
        check(expected)
    }

    private func check(_ expected: Expected, sourceLocation: SourceLocation = #_sourceLocation) {
        let found = PhoneScanner.scan(expected.text)
        #expect(found.count == 1, "\(found.map(\.e164))", sourceLocation: sourceLocation)
        #expect(found.first?.e164 == expected.e164, sourceLocation: sourceLocation)
        #expect(found.first?.kind == expected.kind, sourceLocation: sourceLocation)
    }

    // MARK: Negatives

    @Test("addresses, dates, times, amounts, references and long numbers are not phone numbers", arguments: [
        // Unit numbers and floors (LABELS.md)
        "3-2-501", "3栋2单元501", "12樓之3", "15/F", "Flat 7, 15/F, Block A", "5F-2", "B2-136", "车位号B2-136",
        "8-1电梯", "12栋1803", "Tower 2 23/F Flat C",
        // Dates and times
        "2024-05-01", "2024.05.01", "2024/05/01", "20240501", "2024年5月1日", "10:30", "12:30-13:45",
        "19990101 出生", "2024-05-01 10:30",
        // Amounts
        "1200元", "20000000元", "押金 30000000 元", "HK$3,500", "¥13800000000", "$ 91234567", "3.1415926",
        // References and long numbers
        "T0001", "T00012345678", "工单T0003已关闭", "订单号 2024050112345678", "订单号：91234567", "卡號 61234567",
        "invoice 91234567", "ref #91234567", "202405011234567890", "6222 0212 3456 7890", "1234 5678 9012 3456",
        // Near misses
        "12345", "12345678", "1381234567", "138123456789", "13812345678901", "12812345678", "abc13812345678",
        "13812345678abc", "1381 23 45678", "+86 12345", "+123", "+86 1381234567", "0012345678901",
        "第20240501期", "说了三次了", "12345热线",
    ])
    func notPhoneNumbers(text: String) {
        #expect(PhoneScanner.scan(text).isEmpty, "\(PhoneScanner.scan(text).map(\.e164))")
    }

    // MARK: Mixed messages and ranges

    @Test("a phone number next to a unit number, a date or another number is still found", arguments: [
        ("3-2-501 138 1234 5678", ["+8613812345678"]),
        ("2024-05-01 联系 13812345678", ["+8613812345678"]),
        ("2024/05/01 91234567", ["+85291234567"]),
        ("电话138 1234 5678 3栋2单元", ["+8613812345678"]),
        ("9123 4567 1203", ["+85291234567"]),
        ("B2-136 91234567", ["+85291234567"]),
        ("房号 1203 9123 4567", ["+85291234567"]),
        ("13812345678 或 0755-88886666", ["+8613812345678", "+8675588886666"]),
        ("HK 9123 4567 / TW 0912-345-678", ["+85291234567", "+886912345678"]),
    ])
    func mixed(text: String, expected: [String]) {
        #expect(PhoneScanner.scan(text).map(\.e164) == expected)
    }

    @Test("ranges are Unicode scalar offsets from the + or first digit to the last digit")
    func ranges() throws {
        let text = "我电话+86 138-1234-5678，谢谢"
        let number = try #require(PhoneScanner.scan(text).first)
        let scalars = Array(text.unicodeScalars)
        var written = String.UnicodeScalarView()
        written.append(contentsOf: scalars[number.range])
        #expect(number.range == 3..<20)
        #expect(String(written) == "+86 138-1234-5678")
        #expect(number.countryCode == "86")
        #expect(number.nationalNumber == "13812345678")
        #expect(PhoneScanner.scan("(0755)8888-6666").first?.range == 1..<15)
    }

    @Test("the normalised text and the original give the same numbers")
    func normalisedAndOriginal() {
        let text = "電話：（０７５５）８８８８－６６６６，手機１３８ １２３４ ５６７８"
        let original = PhoneScanner.scan(text)
        let normalised = PhoneScanner.scan(Array(text.unicodeScalars.map { scalar -> Unicode.Scalar in
            (0xFF01...0xFF5E).contains(scalar.value) ? Unicode.Scalar(scalar.value - 0xFEE0)! : scalar
        }))
        #expect(original.map(\.e164) == ["+8675588886666", "+8613812345678"])
        #expect(normalised == original)
    }

    @Test("finds exactly the eight phone numbers in the dev corpus, and none of its addresses")
    func devCorpus() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/dev.jsonl")
        var found: [String] = []
        for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") {
            let row = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            found += PhoneScanner.scan(try #require(row["text"] as? String)).map(\.e164)
        }
        #expect(found.sorted() == [
            "+85261234567", "+85291234567",
            "+8613501284476", "+8613724681359", "+8613866021437", "+8613912346678", "+8618621057732",
            "+886912345678",
        ])
    }

    // MARK: Redaction

    @Test("redacted keeps the country code, a short head and the last four digits", arguments: [
        ("13812345678", "+86138****5678"),
        ("91234567", "+852****4567"),
        ("0912-345-678", "+8869****5678"),
        ("010-62345678", "+8610****5678"),
        ("+44 20 7946 0958", "+4420****0958"),
    ])
    func redacted(text: String, expected: String) throws {
        let number = try #require(PhoneScanner.scan(text).first)
        #expect(number.redacted == expected)
        #expect("\(number)" == expected)
        #expect(!"\(number)".contains("12345678"))
    }

    @Test("redaction masks at least four digits even in a short number")
    func shortRedaction() {
        let number = PhoneNumber(e164: "+123456", kind: .international, countryCode: "1", range: 0..<7)
        #expect(number.redacted == "+1****6")
    }
}
