/// How an SMS text is encoded on the air and how many parts it takes.
///
/// Pure. The choice the channels make: a text made only of the GSM 03.38 default alphabet (and its
/// extension table) goes as GSM 7-bit — 160 septets in one SMS, 153 per part of a concatenated one, an
/// extension character (`€ [ ] { } \ ~ ^ |` …) counting two; anything else (Chinese, emoji) goes as UCS-2 —
/// 70 UTF-16 code units in one SMS, 67 per part. A surrogate pair (emoji) is never split across parts, and
/// neither is an extension character's escape sequence.
public enum SMSSegmenter {
    public enum Encoding: String, Sendable, Equatable {
        case gsm7
        case ucs2

        /// Capacity of a single SMS and of each part of a concatenated one (in septets or UTF-16 units).
        public var single: Int { self == .gsm7 ? 160 : 70 }
        public var perPart: Int { self == .gsm7 ? 153 : 67 }
    }

    /// GSM 03.38 basic set, one septet each.
    static let basic: Set<Unicode.Scalar> = {
        let text = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
        return Set(text.unicodeScalars)
    }()
    /// GSM 03.38 extension table, two septets each (escape + character).
    static let extended: Set<Unicode.Scalar> = Set("^{}\\[~]|€\u{0C}".unicodeScalars)

    /// The encoding a channel should use for `text`.
    public static func encoding(for text: String) -> Encoding {
        for scalar in text.unicodeScalars where !basic.contains(scalar) && !extended.contains(scalar) { return .ucs2 }
        return .gsm7
    }

    /// The length of `text` in the units of `encoding` (septets or UTF-16 code units).
    public static func length(of text: String, as encoding: Encoding) -> Int {
        switch encoding {
        case .ucs2: text.utf16.count
        case .gsm7: text.unicodeScalars.reduce(0) { $0 + (extended.contains($1) ? 2 : 1) }
        }
    }

    /// The texts of the parts `text` is sent as, in order; one part when it fits a single SMS. Empty text is
    /// one empty part (channels refuse it before this).
    public static func split(_ text: String) -> (encoding: Encoding, parts: [String]) {
        let encoding = encoding(for: text)
        guard length(of: text, as: encoding) > encoding.single else { return (encoding, [text]) }
        var parts: [String] = []
        var current = String.UnicodeScalarView()
        var used = 0
        for scalar in text.unicodeScalars {
            let size = encoding == .ucs2 ? scalar.utf16.count : (extended.contains(scalar) ? 2 : 1)
            if used + size > encoding.perPart {
                parts.append(String(current))
                current = String.UnicodeScalarView()
                used = 0
            }
            current.append(scalar)
            used += size
        }
        if !current.isEmpty { parts.append(String(current)) }
        return (encoding, parts)
    }

    /// How many SMS `text` costs.
    public static func partCount(_ text: String) -> Int { split(text).parts.count }
}
