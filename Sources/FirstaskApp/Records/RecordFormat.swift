import FirstaskClassifier
import FirstaskDesk
import Foundation

/// Small pure formatting rules shared by the ticket record and the monthly report: times in the estate's
/// time zone, durations, masked phone numbers, and escaping for HTML and CSV.
public enum RecordFormat {
    /// `2026-11-03 14:05` in `timeZone` (the roster's); the same in every locale so records sort and compare.
    public static func time(_ date: Date, _ timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0,
                      parts.hour ?? 0, parts.minute ?? 0)
    }

    /// A span of time the way a supervisor reads it: `45s`, `12m`, `3h 05m`, `2d 04h`; negative spans keep their sign.
    public static func duration(_ seconds: TimeInterval) -> String {
        if seconds < 0 { return "-" + duration(-seconds) }
        let total = Int(seconds.rounded())
        if total < 60 { return "\(total)s" }
        let minutes = total / 60
        if minutes < 60 { return "\(minutes)m" }
        let hours = minutes / 60
        if hours < 24 { return String(format: "%dh %02dm", hours, minutes % 60) }
        return String(format: "%dd %02dh", hours / 24, hours % 24)
    }

    /// A resident's address with the middle hidden: `+8613812345678` → `+86138****5678`.
    ///
    /// At least four characters are always hidden and at most the last four and first six shown, so a
    /// shorter number (`+85291234567` → `+852****4567`) stays as unrecognisable as a long one.
    public static func maskContact(_ address: String) -> String {
        let characters = Array(address)
        guard !characters.isEmpty else { return "" }
        guard characters.count >= 8 else {
            let shown = max(0, characters.count - 4)
            return String(repeating: "*", count: characters.count - shown) + String(characters.suffix(shown))
        }
        let prefix = min(6, characters.count - 8)
        let hidden = characters.count - prefix - 4
        return String(characters.prefix(prefix)) + String(repeating: "*", count: hidden) + String(characters.suffix(4))
    }

    /// Text safe inside HTML element content and double- or single-quoted attribute values.
    public static func html(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&#39;"
            default: output.append(character)
            }
        }
        return output
    }

    /// One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF, with quotes doubled.
    ///
    /// Residents' words reach the spreadsheet a supervisor opens, so a field a spreadsheet would run as a
    /// formula (starting with `=`, `@`, a tab, or `+`/`-` followed by more than digits) gets a leading `'`;
    /// phone numbers (`+8613812345678`) and a lone `-` stay as they are.
    public static func csvField(_ text: String) -> String {
        var value = text
        if let first = value.first {
            let rest = value.dropFirst()
            let numeric = rest.allSatisfy { $0.isASCII && ($0.isNumber || $0 == " " || $0 == "-") }
            if first == "=" || first == "@" || first == "\t" || ((first == "+" || first == "-") && !numeric) {
                value = "'" + value
            }
        }
        // By scalar: "\r\n" is one Character and equals neither "\r" nor "\n".
        guard value.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One CSV line, fields joined with commas, ended with CRLF as RFC 4180 asks.
    public static func csvRow(_ fields: [String]) -> String {
        fields.map(csvField).joined(separator: ",") + "\r\n"
    }

    /// A location as staff write it (`3-2-501`), or `-` when none was given.
    public static func place(_ location: Location?) -> String {
        guard let location, !location.display.isEmpty else { return "-" }
        return location.display
    }

    /// Cell text for Markdown tables: pipes escaped, line breaks as spaces.
    public static func markdownCell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\r\n", with: " ")
            .replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ")
    }
}
