/// The language a reply to the resident should be written in.
public enum ReplyLocale: String, Sendable, Codable, CaseIterable {
    case zhHans = "zh-Hans"
    case zhHant = "zh-Hant"
    case en

    /// Guess the script a resident wrote in: traditional-only characters → zhHant, any CJK → zhHans, else en.
    ///
    /// Characters shared by both scripts say nothing; a message counts as traditional when it has more
    /// traditional-only than simplified-only characters (so one stray variant does not flip a reply).
    public static func detect(_ text: String) -> ReplyLocale {
        var traditional = 0
        var simplified = 0
        var cjk = 0
        for scalar in text.unicodeScalars {
            guard TextNormalizer.isCJK(scalar) else { continue }
            cjk += 1
            if TraditionalChinese.isTraditionalOnly(scalar) {
                traditional += 1
            } else if TraditionalChinese.isSimplifiedOnly(scalar) {
                simplified += 1
            }
        }
        if traditional > 0 && traditional > simplified { return .zhHant }
        return cjk > 0 ? .zhHans : .en
    }
}
