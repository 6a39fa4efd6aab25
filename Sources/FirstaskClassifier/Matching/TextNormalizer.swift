/// Turns a message into the form rules are matched against: one pass, one array of scalars.
///
/// - full-width ASCII (including digits) → half-width, ideographic space → space, 。、 → . ,
/// - upper-case → lower-case, curly apostrophes → `'`
/// - traditional → simplified Chinese (``TraditionalChinese``)
/// - zero-width characters, variation selectors and emoji are dropped
///
/// Every scalar maps to one scalar or to nothing, so a normalised offset maps back to exactly one
/// original scalar; ``NormalizedText`` keeps that map for reporting matched spans in the original text.
///
/// Rule keywords go through the same function, so a rule written in either script matches both.
/// The original text is never modified; callers keep it for display.
enum TextNormalizer {
    /// Normalises `text`, keeping for every normalised scalar where it came from.
    static func normalize(_ text: String) -> NormalizedText {
        var result = NormalizedText()
        normalize(text, into: &result)
        return result
    }

    /// Normalises `text` into `result`, reusing its buffers' capacity.
    static func normalize(_ text: String, into result: inout NormalizedText) {
        var text = text
        // Native Swift strings are contiguous UTF-8: decode the bytes directly (no String.Index work).
        let done: Void? = text.utf8.withContiguousStorageIfAvailable { bytes in
            result.reserve(bytes.count)
            decode(bytes, into: &result)
        }
        if done == nil {
            text.makeContiguousUTF8()
            text.utf8.withContiguousStorageIfAvailable { bytes in
                result.reserve(bytes.count)
                decode(bytes, into: &result)
            }
        }
    }

    /// The normalised text as a plain String (for keywords, and for regular expressions).
    static func normalizedString(_ text: String) -> String {
        String(String.UnicodeScalarView(normalize(text).scalars))
    }

    /// Walks valid UTF-8 (a Swift String's bytes always are) and appends mapped scalars.
    private static func decode(_ bytes: UnsafeBufferPointer<UInt8>, into result: inout NormalizedText) {
        var scalarIndex: Int32 = 0
        let count = bytes.count
        bmpTable.withUnsafeBufferPointer { table in
        // A scalar takes at least one byte, so the text has at most `count` scalars.
        result.write(capacity: count) { scalars, origins in
            var written = 0
            var index = 0
            while index < count {
                let lead = UInt32(bytes[index])
                let value: UInt32
                let width: Int
                if lead < 0x80 {
                    value = lead
                    width = 1
                } else if lead < 0xE0 {
                    value = (lead & 0x1F) << 6 | UInt32(bytes[index + 1] & 0x3F)
                    width = 2
                } else if lead < 0xF0 {
                    value = (lead & 0x0F) << 12 | UInt32(bytes[index + 1] & 0x3F) << 6 | UInt32(bytes[index + 2] & 0x3F)
                    width = 3
                } else {
                    value = (lead & 0x07) << 18 | UInt32(bytes[index + 1] & 0x3F) << 12
                        | UInt32(bytes[index + 2] & 0x3F) << 6 | UInt32(bytes[index + 3] & 0x3F)
                    width = 4
                }
                var mapped: UInt32
                if value < 0x80 {
                    mapped = value &- 0x41 < 26 ? value + 0x20 : value      // ASCII: only A-Z change
                } else if value < 0x10000 {
                    mapped = UInt32(table[Int(value)])
                    if mapped == slowPath { mapped = Unicode.Scalar(value).flatMap(map)?.value ?? dropped }
                    else if mapped == droppedInTable { mapped = dropped }
                } else if let scalar = Unicode.Scalar(value) {
                    mapped = map(scalar)?.value ?? dropped
                } else {
                    mapped = dropped
                }
                if mapped != dropped, let scalar = Unicode.Scalar(mapped) {
                    scalars[written] = scalar
                    origins[written] = NormalizedText.Origin(scalar: scalarIndex, utf8Start: Int32(index), utf8End: Int32(index + width))
                    written += 1
                }
                index += width
                scalarIndex += 1
            }
            return written
        }
        }
        result.finish(scalarCount: scalarIndex)
    }

    private static let dropped: UInt32 = .max
    /// In `bmpTable`: the character is dropped.
    private static let droppedInTable: UInt32 = 0xFFFF
    /// In `bmpTable`: ask `map` (for U+FFFE and U+FFFF themselves, and any mapping outside the BMP).
    private static let slowPath: UInt32 = 0xFFFE

    /// `map` precomputed for the Basic Multilingual Plane, where nearly every message character lives:
    /// one load from a 128 KB table per character instead of a dictionary lookup and Unicode property
    /// queries. Built on first use (about 64k calls of `map`, a few milliseconds).
    private static let bmpTable: [UInt16] = {
        var table = [UInt16](repeating: UInt16(droppedInTable), count: 0x10000)
        for value in 0..<UInt32(0x10000) {
            guard let scalar = Unicode.Scalar(value) else { continue }   // surrogates never occur in a String
            if let mapped = map(scalar) {
                table[Int(value)] = mapped.value < slowPath && value < slowPath ? UInt16(mapped.value) : UInt16(slowPath)
            }
        }
        return table
    }()

    /// The normalised form of one scalar, or nil when it is dropped.
    static func map(_ scalar: Unicode.Scalar) -> Unicode.Scalar? {
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
