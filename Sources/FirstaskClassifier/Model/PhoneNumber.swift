/// A phone number mentioned in a message, found by ``PhoneScanner``.
///
/// `description` is the redacted form, so a phone number interpolated into a log line or an error never
/// shows in full; use ``e164`` explicitly where the whole number is needed (calling the resident back).
public struct PhoneNumber: Sendable, Equatable, Hashable, CustomStringConvertible, Codable {
    /// Which numbering plan the number was recognised under.
    public enum Kind: String, Sendable, CaseIterable, Codable {
        /// Mainland China mobile: 1[3-9] and nine more digits.
        case mainlandMobile
        /// Mainland China fixed line: area code 010, 02x or 0xxx and a 7- or 8-digit number.
        case mainlandLandline
        /// Hong Kong: eight digits starting 2, 3, 5, 6, 7 or 9.
        case hongKong
        /// Taiwan mobile: 09 and eight more digits.
        case taiwanMobile
        /// Taiwan fixed line: 0 and a one- to three-digit area code, nine or ten digits in all.
        case taiwanLandline
        /// Any other number written with `+` (or `00`) and a country code.
        case international
    }

    /// The number in E.164 form: `+`, country code, national number without its trunk 0
    /// (`+8613812345678`, `+861012345678`, `+85291234567`, `+886912345678`).
    public var e164: String
    public var kind: Kind
    /// The country calling code, digits only: `86`, `852`, `886`, `44`…
    public var countryCode: String
    /// Where the number was written, as offsets into the scanned text's Unicode scalars: from its `+` (or
    /// first digit) to its last digit.
    public var range: Range<Int>

    public init(e164: String, kind: Kind, countryCode: String, range: Range<Int>) {
        self.e164 = e164
        self.kind = kind
        self.countryCode = countryCode
        self.range = range
    }

    /// The national significant number: the E.164 form without `+` and the country code.
    public var nationalNumber: Substring {
        e164.dropFirst(1 + countryCode.count)
    }

    /// For logs: the country code, at most the first three national digits, and the last four; at least
    /// four digits are always masked (`+86138****5678`, `+852****4567`, `+8869****5678`).
    public var redacted: String {
        let national = Array(nationalNumber)
        let head = max(0, min(3, national.count - 8))
        let masked = min(national.count - head, max(4, national.count - head - 4))
        let tail = national.count - head - masked
        return "+" + countryCode + String(national.prefix(head)) + String(repeating: "*", count: masked)
            + String(national.suffix(tail))
    }

    public var description: String { redacted }

    private enum CodingKeys: String, CodingKey { case e164, kind, countryCode = "country_code", start, end }

    /// `{"e164", "kind", "country_code", "start", "end"}`: the range as two offsets, like ``MatchedSpan``.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(e164, forKey: .e164)
        try container.encode(kind, forKey: .kind)
        try container.encode(countryCode, forKey: .countryCode)
        try container.encode(range.lowerBound, forKey: .start)
        try container.encode(range.upperBound, forKey: .end)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let start = try container.decode(Int.self, forKey: .start)
        let end = try container.decode(Int.self, forKey: .end)
        guard start <= end else {
            throw DecodingError.dataCorruptedError(forKey: .end, in: container, debugDescription: "end before start")
        }
        self.init(e164: try container.decode(String.self, forKey: .e164), kind: try container.decode(Kind.self, forKey: .kind),
                  countryCode: try container.decode(String.self, forKey: .countryCode), range: start..<end)
    }
}
