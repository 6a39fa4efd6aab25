/// Turns a message into the form rules are matched against: one pass, one array of scalars.
///
/// - full-width ASCII (including digits) → half-width, ideographic space → space, 。、 → . ,
/// - upper-case → lower-case, curly apostrophes → `'`
/// - traditional → simplified Chinese (``TraditionalChinese``)
/// - zero-width characters, variation selectors and emoji are dropped
///
/// Rule keywords go through the same function, so a rule written in either script matches both.
/// The original text is never modified; callers keep it for display.
enum TextNormalizer {
    static func normalize(_ text: String) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            if let mapped = map(scalar) { out.append(mapped) }
        }
        return out
    }

    static func normalizedString(_ text: String) -> String {
        var string = String.UnicodeScalarView()
        string.append(contentsOf: normalize(text))
        return String(string)
    }

    /// The normalised form of one scalar, or nil when it is dropped.
    private static func map(_ scalar: Unicode.Scalar) -> Unicode.Scalar? {
        let value = scalar.value
        switch value {
        case 0x41...0x5A:                       // A-Z
            return Unicode.Scalar(value + 0x20)
        case 0x00...0x7F:
            return scalar
        case 0xFF01...0xFF5E:                   // full-width ASCII
            let half = value - 0xFEE0
            return Unicode.Scalar(half >= 0x41 && half <= 0x5A ? half + 0x20 : half)
        case 0x3000:
            return " "
        case 0x3002, 0xFF61:
            return "."
        case 0x3001, 0xFF64:
            return ","
        case 0x2018, 0x2019:
            return "'"
        case 0x201C, 0x201D:
            return "\""
        case 0x200B...0x200F, 0x2060, 0xFEFF, 0xFE00...0xFE0F, 0x20E3, 0xE0020...0xE007F:
            return nil                          // zero-width, variation selectors, keycap, tags
        case 0x1F000...0x1FAFF, 0x2600...0x27BF, 0x2B00...0x2BFF:
            return nil                          // emoji and pictographic symbols
        default:
            break
        }
        if isCJK(scalar) {
            return TraditionalChinese.simplified(scalar) ?? scalar
        }
        if scalar.properties.isEmojiPresentation { return nil }
        if scalar.properties.isUppercase,
           let lower = scalar.properties.lowercaseMapping.unicodeScalars.first,
           scalar.properties.lowercaseMapping.unicodeScalars.count == 1 {
            return lower
        }
        return scalar
    }

    /// Han ideographs (BMP blocks and the supplementary planes, where Cantonese 𨋢 lives).
    static func isCJK(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0xF900...0xFAFF, 0x20000...0x3134F:
            return true
        default:
            return false
        }
    }

    /// ASCII letters and digits: the characters that make up an English "word" for boundary checks.
    @inline(__always)
    static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        default: false
        }
    }

    @inline(__always)
    static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value >= 0x30 && scalar.value <= 0x39
    }

    @inline(__always)
    static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.value >= 0x61 && scalar.value <= 0x7A) || (scalar.value >= 0x41 && scalar.value <= 0x5A)
    }
}
