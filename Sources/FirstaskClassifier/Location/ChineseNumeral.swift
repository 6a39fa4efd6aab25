/// Small Chinese numerals as used in addresses: 三号楼, 二单元, 十二楼, 廿五楼, 一二〇一.
///
/// 两 is deliberately not a numeral here: 两栋 and 两座 count buildings, they do not name one.
enum ChineseNumeral {
    private static let digits: [Unicode.Scalar: Int] = [
        "〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
    ]

    /// Bit `value & 63` is set for the value of every numeral below (and, by chance, of 1 in 5 other
    /// characters): most characters are turned away by one test before the switch. A test checks it.
    static let lowBits: UInt64 = 0x8040_2800_2810_128B

    /// A switch rather than the dictionary: the location scanner asks this for nearly every character.
    @inline(__always)
    static func isNumeral(_ scalar: Unicode.Scalar) -> Bool {
        guard lowBits & (1 << UInt64(scalar.value & 63)) != 0 else { return false }
        return switch scalar {
        case "〇", "零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "廿": true
        default: false
        }
    }

    /// The value of a run of numerals, or nil if it is not a well-formed number below 100
    /// (or a digit-by-digit spelling such as 一二〇一).
    static func value(_ scalars: ArraySlice<Unicode.Scalar>) -> Int? {
        guard !scalars.isEmpty else { return nil }
        if !scalars.contains("十") && !scalars.contains("廿") {
            var value = 0
            for scalar in scalars {
                guard let digit = digits[scalar] else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        var tens = 0
        var units = 0
        var pending: Int?
        var seenTen = false
        for scalar in scalars {
            if scalar == "十" || scalar == "廿" {
                guard !seenTen else { return nil }
                seenTen = true
                tens = scalar == "廿" ? 2 : (pending ?? 1)
                if scalar == "廿", pending != nil { return nil }
                pending = nil
            } else if let digit = digits[scalar] {
                guard pending == nil else { return nil }
                pending = digit
            }
        }
        units = pending ?? 0
        return tens * 10 + units
    }
}
