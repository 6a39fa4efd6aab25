/// Finds phone numbers in a message: mainland China mobiles and landlines, Hong Kong, Taiwan mobiles and
/// landlines, and international numbers written with `+` (or `00`) and a country code.
///
/// Works on the original text or the normalised one (``TextNormalizer``): full-width digits, `＋`, `－`
/// and brackets are read as their ASCII forms. A hand-written scanner, one pass, no regular expressions:
///
/// 1. A *run* is digits joined by short separators (up to three of space, `-`, `.`, `(`, `)`, with at
///    most one `-` or `.`), optionally led by `(` and `+`: `+86 138-1234-5678`, `(0755) 8888 8888`.
/// 2. The whole run is tried first. Otherwise its space-separated pieces are tried, longest combination
///    first, so a phone number next to a unit number or a date is still found (`3-2-501 138 1234 5678`).
///    A run of four or more four-digit blocks is a card or account number and yields nothing.
/// 3. A candidate is a phone number only if its digit count, leading digits *and* grouping fit one
///    numbering plan (`138 1234 5678` yes, `1381 23 45678` no). Hong Kong's bare eight digits are the
///    loosest pattern, so they must be written `91234567` or `9123 4567` and must not read as a date.
///
/// Not phone numbers: anything glued to a letter or digit before it (`T0001`, `B2-136`), after `¥ $ 第`
/// or a reference label (`订单号`, `卡号`, `order`, `invoice`…), before a unit of money, time, count or
/// place (`20000000元`, `2024年`), unit numbers (`3-2-501`, `15/F`, `12樓之3`), dates and times
/// (`2024-05-01`, `20240501`, `10:30`), and long order numbers (no plan has that many digits).
public enum PhoneScanner {
    /// The phone numbers in `text`, in order; ranges are offsets into `text.unicodeScalars`.
    public static func scan(_ text: String) -> [PhoneNumber] {
        scan(Array(text.unicodeScalars))
    }

    /// The phone numbers in `text` (for example ``TextNormalizer``'s output), in order; ranges are
    /// offsets into `text`.
    public static func scan(_ text: [Unicode.Scalar]) -> [PhoneNumber] {
        var found: [PhoneNumber] = []
        var index = 0
        while index < text.count {
            let scalar = text[index]
            guard digit(scalar) != nil || isPlus(scalar) || isOpenParen(scalar),
                  let run = Run.read(text, at: index) else {
                index += 1
                continue
            }
            numbers(in: run, text: text, into: &found)
            index = max(run.end, index + 1)
        }
        return found
    }

    // MARK: - Runs

    /// One group of adjacent digits inside a run.
    struct Group {
        /// Offset of the group's first digit in ``Run/digits``.
        var digitStart: Int
        var length: Int
        /// Offsets of the group in the text.
        var scalarStart: Int
        var scalarEnd: Int
        /// Whether the separator before this group contained a space: spaces split a run into pieces.
        var spaceBefore: Bool
    }

    /// Digits joined by separators, as written.
    struct Run {
        /// Offset of the run's first character (`(`, `+` or a digit).
        var start: Int
        /// Offset where the number itself begins: its `+`, or its first digit.
        var numberStart: Int
        /// One past the last digit.
        var end: Int
        var plus: Bool
        var digits: [UInt8] = []
        var groups: [Group] = []

        /// Reads the run starting at `start`, or nil when no digits follow.
        static func read(_ text: [Unicode.Scalar], at start: Int) -> Run? {
            var position = start
            if position < text.count, isOpenParen(text[position]) { position += 1 }
            let numberStart = position
            var plus = false
            if position < text.count, isPlus(text[position]) {
                plus = true
                position += 1
            }
            guard position < text.count, digit(text[position]) != nil else { return nil }
            var run = Run(start: start, numberStart: plus ? numberStart : position, end: position, plus: plus)
            var spaceBefore = false
            while true {
                let groupStart = position
                let digitStart = run.digits.count
                while position < text.count, let value = digit(text[position]) {
                    run.digits.append(value)
                    position += 1
                }
                run.groups.append(Group(digitStart: digitStart, length: run.digits.count - digitStart,
                                        scalarStart: groupStart, scalarEnd: position, spaceBefore: spaceBefore))
                run.end = position
                var cursor = position
                var marks = 0
                var spaces = false
                while cursor < text.count, cursor - position < 3, let kind = separator(text[cursor]) {
                    switch kind {
                    case .space: spaces = true
                    case .mark: marks += 1
                    case .bracket: break
                    }
                    cursor += 1
                }
                guard cursor > position, marks <= 1, cursor < text.count, digit(text[cursor]) != nil else { break }
                position = cursor
                spaceBefore = spaces
            }
            return run
        }
    }

    /// Fewest digits of any number ``scan(_:)-swift.type.method`` reports (``match(_:groups:text:)`` checks it).
    static let minimumDigits = 8

    /// False when `text` has fewer than ``minimumDigits`` digits, so that ``scan(_:)`` would find nothing:
    /// a cheap test that lets callers skip the scan for nearly every message.
    ///
    /// The digits are counted per stretch of text whose digits are at most four characters apart: a
    /// ``Run`` joins groups across at most three separators, so every run lies inside one such stretch
    /// and has no more digits than it.
    static func mayContainNumber(_ text: [Unicode.Scalar]) -> Bool {
        text.withUnsafeBufferPointer { text in
            var digits = 0
            var sinceDigit = Int.max / 2
            for scalar in text {
                if digit(scalar) != nil {
                    if sinceDigit > 3 { digits = 0 }
                    digits += 1
                    if digits >= minimumDigits { return true }
                    sinceDigit = 0
                } else {
                    sinceDigit += 1
                }
            }
            return false
        }
    }

    /// Longest plausible phone number, in digits, including a `00` prefix.
    private static let maxDigits = 17
    /// Most space-separated pieces one phone number is written in (`+33 1 23 45 67 89`).
    private static let maxPieces = 6

    private static func numbers(in run: Run, text: [Unicode.Scalar], into found: inout [PhoneNumber]) {
        // Piece boundaries: indices into run.groups where a space-separated piece starts, plus the end.
        var pieces = [0]
        for (offset, group) in run.groups.enumerated() where offset > 0 && group.spaceBefore {
            pieces.append(offset)
        }
        pieces.append(run.groups.count)
        let pieceCount = pieces.count - 1
        let startAllowed = acceptsStart(text, at: run.start)

        if startAllowed, let number = match(run, groups: 0..<run.groups.count, text: text) {
            found.append(number)
            return
        }
        if run.groups.count >= 4, run.groups.prefix(4).allSatisfy({ $0.length == 4 }) { return }
        var piece = 0
        while piece < pieceCount {
            var matched = false
            if piece > 0 || startAllowed {
                var last = min(pieceCount, piece + maxPieces)
                while last > piece {
                    if !(piece == 0 && last == pieceCount),
                       let number = match(run, groups: pieces[piece]..<pieces[last], text: text) {
                        found.append(number)
                        piece = last
                        matched = true
                        break
                    }
                    last -= 1
                }
            }
            if !matched { piece += 1 }
        }
    }

    /// The phone number formed by `groups` of `run`, if they form one.
    private static func match(_ run: Run, groups range: Range<Int>, text: [Unicode.Scalar]) -> PhoneNumber? {
        let first = run.groups[range.lowerBound]
        let last = run.groups[range.upperBound - 1]
        let digitCount = last.digitStart + last.length - first.digitStart
        guard digitCount >= minimumDigits, digitCount <= maxDigits else { return nil }
        if range.upperBound == run.groups.count, followedByNonPhone(text, at: run.end) { return nil }
        let digits = run.digits[first.digitStart..<(last.digitStart + last.length)]
        let lengths = run.groups[range].map(\.length)
        let plus = range.lowerBound == 0 && run.plus
        guard let (kind, code, national) = recognise(digits, lengths, plus: plus) else { return nil }
        let start = range.lowerBound == 0 ? run.numberStart : first.scalarStart
        var e164 = "+"
        e164.unicodeScalars.append(contentsOf: (code + national).map { Unicode.Scalar(UInt8(48) + $0) })
        return PhoneNumber(e164: e164, kind: kind, countryCode: String(e164.dropFirst().prefix(code.count)),
                           range: start..<last.scalarEnd)
    }

    // MARK: - Numbering plans

    private typealias Digits = ArraySlice<UInt8>

    /// Kind, country code digits and national significant number digits.
    private static func recognise(_ digits: Digits, _ lengths: [Int], plus: Bool) -> (PhoneNumber.Kind, [UInt8], [UInt8])? {
        if plus {
            return withCountryCode(digits, lengths, zeroZero: false)
        }
        if digits.count > 10, digits.first == 0, digits.dropFirst().first == 0 {
            return withCountryCode(digits.dropFirst(2), drop(2, from: lengths), zeroZero: true)
        }
        guard let first = digits.first else { return nil }
        switch first {
        case 1:
            return mainlandMobile(digits, lengths).map { ($0, [8, 6], Array(digits)) }
        case 0:
            let national = digits.dropFirst()
            let groups = drop(1, from: lengths)
            if digits.count == 10, national.first == 9 {
                return taiwanMobile(national, groups).map { ($0, [8, 8, 6], Array(national)) }
            }
            if digits.count == 11 || digits.count == 12 {
                return mainlandLandline(national, groups).map { ($0, [8, 6], Array(national)) }
            }
            if digits.count == 9 || digits.count == 10 {
                return taiwanLandline(national, groups).map { ($0, [8, 8, 6], Array(national)) }
            }
            return nil
        default:
            guard !looksLikeDate(digits) else { return nil }
            return hongKong(digits, lengths).map { ($0, [8, 5, 2], Array(digits)) }
        }
    }

    /// `digits` start with a country code (after `+` or `00`).
    private static func withCountryCode(_ digits: Digits, _ lengths: [Int], zeroZero: Bool) -> (PhoneNumber.Kind, [UInt8], [UInt8])? {
        guard let codeLength = countryCodeLength(digits) else { return nil }
        let code = Array(digits.prefix(codeLength))
        var national = digits.dropFirst(codeLength)
        var groups = drop(codeLength, from: lengths)
        switch code {
        case [8, 6], [8, 8, 6]:
            // A trunk 0 written after the country code ("+86 (0)755…") is not part of the number.
            if national.first == 0 {
                national = national.dropFirst()
                groups = drop(1, from: groups)
            }
            let kind = code == [8, 6]
                ? mainlandMobile(national, groups) ?? mainlandLandline(national, groups)
                : taiwanMobile(national, groups) ?? taiwanLandline(national, groups)
            return kind.map { ($0, code, Array(national)) }
        case [8, 5, 2]:
            return hongKong(national, groups).map { ($0, code, Array(national)) }
        default:
            // After 00 the country code must stand alone ("0044 20 7946 0958"): 00 glued to digits is
            // more likely an order or account number.
            if zeroZero && lengths.first != codeLength { return nil }
            guard (8...15).contains(digits.count), national.count >= 4 else { return nil }
            return (.international, code, Array(national))
        }
    }

    /// 1[3-9] and nine more digits: `13812345678`, `138 1234 5678`, `138-12345678`, `1381234 5678`.
    private static func mainlandMobile(_ national: Digits, _ groups: [Int]) -> PhoneNumber.Kind? {
        guard national.count == 11, national.first == 1, let second = national.dropFirst().first, second >= 3,
              groups == [11] || groups == [3, 8] || groups == [3, 4, 4] || groups == [7, 4] else { return nil }
        return .mainlandMobile
    }

    /// Without the trunk 0: area code 10 or 2x with eight digits, or three digits starting 3-9 with seven
    /// or eight; the local number starts 2-9. Written whole or as area code then one or two groups.
    private static func mainlandLandline(_ national: Digits, _ groups: [Int]) -> PhoneNumber.Kind? {
        let digits = Array(national)
        guard digits.count >= 9, digits.count <= 11 else { return nil }
        let area: Int
        switch digits[0] {
        case 1 where digits[1] == 0, 2: area = 2
        case 3...9: area = 3
        default: return nil
        }
        let local = digits.count - area
        guard area == 2 ? local == 8 : (local == 7 || local == 8), digits[area] >= 2,
              groups == [digits.count] || (groups.first == area && localGroupsFit(groups.dropFirst(), total: local))
        else { return nil }
        return .mainlandLandline
    }

    /// Without the trunk 0: 9 and eight more digits, as `0912345678`, `0912-345-678` or `0912 345678`.
    private static func taiwanMobile(_ national: Digits, _ groups: [Int]) -> PhoneNumber.Kind? {
        guard national.count == 9, national.first == 9,
              groups == [9] || groups == [3, 6] || groups == [3, 3, 3] else { return nil }
        return .taiwanMobile
    }

    /// Without the trunk 0: eight or nine digits starting 2-8, as `0223456789`, `02-2345-6789`,
    /// `(049)2345678`: a one- to three-digit area code, then the local number.
    private static func taiwanLandline(_ national: Digits, _ groups: [Int]) -> PhoneNumber.Kind? {
        guard national.count == 8 || national.count == 9, let first = national.first, (2...8).contains(first),
              let area = groups.first else { return nil }
        guard groups.count == 1 || ((1...3).contains(area) && localGroupsFit(groups.dropFirst(), total: national.count - area))
        else { return nil }
        return .taiwanLandline
    }

    /// Eight digits starting 2, 3, 5, 6, 7 or 9, written `91234567` or `9123 4567`.
    private static func hongKong(_ national: Digits, _ groups: [Int]) -> PhoneNumber.Kind? {
        guard national.count == 8, let first = national.first, [2, 3, 5, 6, 7, 9].contains(first),
              groups == [8] || groups == [4, 4] else { return nil }
        return .hongKong
    }

    /// A local number after its area code: one group of the whole number, or two groups of 3-4 digits.
    private static func localGroupsFit(_ groups: ArraySlice<Int>, total: Int) -> Bool {
        switch groups.count {
        case 1: groups.first == total
        case 2: groups.allSatisfy { (3...4).contains($0) }
        default: false
        }
    }

    /// yyyymmdd from 1900 to 2099: `20240501` is a date before it is a Hong Kong number.
    private static func looksLikeDate(_ digits: Digits) -> Bool {
        let d = Array(digits)
        guard d.count == 8, (d[0] == 1 && d[1] == 9) || (d[0] == 2 && d[1] == 0) else { return false }
        let month = Int(d[4]) * 10 + Int(d[5])
        let day = Int(d[6]) * 10 + Int(d[7])
        return (1...12).contains(month) && (1...31).contains(day)
    }

    /// Length of the E.164 country code at the start of `digits`, by ITU zone: 1 and 7 are one digit;
    /// the two-digit codes are listed; every other code is three digits.
    private static func countryCodeLength(_ digits: Digits) -> Int? {
        guard digits.count >= 3, let first = digits.first, first != 0 else { return nil }
        let second = digits[digits.startIndex + 1]
        switch first {
        case 1, 7: return 1
        case 2: return second == 0 || second == 7 ? 2 : 3
        case 3: return [0, 1, 2, 3, 4, 6, 9].contains(second) ? 2 : 3
        case 4: return second == 2 ? 3 : 2
        case 5: return (1...8).contains(second) ? 2 : 3
        case 6: return (0...6).contains(second) ? 2 : 3
        case 8: return [1, 2, 4, 6].contains(second) ? 2 : 3
        default: return (0...5).contains(second) || second == 8 ? 2 : 3
        }
    }

    /// Group lengths after dropping `count` digits from the front.
    private static func drop(_ count: Int, from lengths: [Int]) -> [Int] {
        var remaining = count
        var result: [Int] = []
        for length in lengths {
            if remaining >= length {
                remaining -= length
            } else {
                result.append(length - remaining)
                remaining = 0
            }
        }
        return result
    }

    // MARK: - Context

    /// A number may not continue a word or code (`T0001`, `B2-136`, `3.5`), follow a currency sign or 第,
    /// or follow a reference label.
    private static func acceptsStart(_ text: [Unicode.Scalar], at start: Int) -> Bool {
        guard start > 0 else { return true }
        let before = text[start - 1]
        if isWord(before) || "$¥￥€£第".unicodeScalars.contains(before) { return false }
        if start > 1 {
            let earlier = text[start - 2]
            // "B-1203", "b2/136"; a dot is allowed ("Tel.13812345678").
            if (before == "-" || before == "/") && isWord(earlier) { return false }
            if isSpace(before) && "$¥￥€£".unicodeScalars.contains(earlier) { return false }
        }
        return !precededByReferenceLabel(text, at: start)
    }

    /// Labels of numbers that are not phone numbers, in simplified Chinese and lower case.
    private static let referenceLabels = ReferenceLabels([
        "单号", "编号", "卡号", "账号", "帐号", "户号", "票号", "订单", "工单", "发票", "快递", "运单", "车牌",
        "身份证", "证件", "密码", "验证码", "工号", "流水", "合同",
        "order", "ref", "reference", "invoice", "ticket", "account", "acct", "card", "tracking", "booking", "code", "pin",
    ])

    /// The labels concatenated in one array, with where each ends: checking them costs no reference
    /// counting per label, and a label is only spelled out when its last character matches.
    private struct ReferenceLabels: Sendable {
        let scalars: [Unicode.Scalar]
        let ends: [Int]

        init(_ labels: [String]) {
            var scalars: [Unicode.Scalar] = []
            var ends: [Int] = []
            for label in labels {
                scalars += label.unicodeScalars
                ends.append(scalars.count)
            }
            self.scalars = scalars
            self.ends = ends
        }
    }

    private static func precededByReferenceLabel(_ text: [Unicode.Scalar], at start: Int) -> Bool {
        var end = start
        while end > 0, start - end < 3, " :：#＃.\u{3000}".unicodeScalars.contains(text[end - 1]) { end -= 1 }
        guard end > 0 else { return false }
        let last = folded(text[end - 1])
        let labels = referenceLabels
        return labels.scalars.withUnsafeBufferPointer { scalars in
            var labelStart = 0
            for labelEnd in labels.ends {
                defer { labelStart = labelEnd }
                let length = labelEnd - labelStart
                guard end >= length, scalars[labelEnd - 1] == last else { continue }
                var matches = true
                for offset in 0..<(length - 1) where folded(text[end - length + offset]) != scalars[labelStart + offset] {
                    matches = false
                    break
                }
                guard matches else { continue }
                // English labels are whole words: "discard" is not "card".
                let textStart = end - length
                if TextNormalizer.isLetter(scalars[labelStart]), textStart > 0, isWord(text[textStart - 1]) { continue }
                return true
            }
            return false
        }
    }

    /// Units of money, time, count and place that say a number is an amount, a date or an address.
    private static let nonPhoneFollowers = Set("元块圆蚊万亿千百年月日号点时分秒次个楼层室栋幢座米平度岁吨斤%".unicodeScalars.map(\.value))

    private static func followedByNonPhone(_ text: [Unicode.Scalar], at end: Int) -> Bool {
        guard end < text.count else { return false }
        let next = text[end]
        if isWord(next) { return true }
        var position = end
        if isSpace(next), end + 1 < text.count { position += 1 }
        return nonPhoneFollowers.contains(folded(text[position]).value)
    }

    // MARK: - Characters

    private enum SeparatorKind { case space, mark, bracket }

    private static func separator(_ scalar: Unicode.Scalar) -> SeparatorKind? {
        switch scalar.value {
        case 0x20, 0xA0, 0x3000: .space
        case 0x2D, 0x2E, 0x2010...0x2015, 0x2212, 0xFF0D, 0xFF0E: .mark
        case 0x28, 0x29, 0xFF08, 0xFF09: .bracket
        default: nil
        }
    }

    /// The value of an ASCII or full-width digit.
    @inline(__always)
    private static func digit(_ scalar: Unicode.Scalar) -> UInt8? {
        switch scalar.value {
        case 0x30...0x39: UInt8(scalar.value - 0x30)
        case 0xFF10...0xFF19: UInt8(scalar.value - 0xFF10)
        default: nil
        }
    }

    private static func isPlus(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "+" || scalar == "＋"
    }

    private static func isOpenParen(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "(" || scalar == "（"
    }

    private static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        separator(scalar) == .space
    }

    /// ASCII or full-width letters and digits.
    private static func isWord(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0xFF10...0xFF19, 0xFF21...0xFF3A, 0xFF41...0xFF5A: true
        default: false
        }
    }

    /// Lower case and simplified, so labels and units match in the original text too.
    private static func folded(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        if scalar.value >= 0x41 && scalar.value <= 0x5A { return Unicode.Scalar(scalar.value + 0x20)! }
        if TextNormalizer.isCJK(scalar) { return TraditionalChinese.simplified(scalar) ?? scalar }
        return scalar
    }
}
