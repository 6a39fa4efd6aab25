import Foundation

/// Reads WeCom's flat callback XML: `<xml><Name>value</Name>…</xml>`, each value plain text (the five XML
/// entities and numeric references decoded) or one CDATA section.
///
/// Only what WeCom sends for the callback envelope and the `kf_msg_or_event` event is needed, so this is a
/// strict reader of that shape rather than a general XML parser (which on Linux would add libxml2 to the
/// gateway's runtime needs): no attributes, no DOCTYPE or entities of its own (so no entity expansion), one
/// level of children. A child with nested elements is kept as its raw inner text; anything else malformed
/// gives nil.
public enum WeComXML {
    public static func fields(_ data: Data) -> [String: String]? {
        guard let text = String(data: data, encoding: .utf8) else { return nil }
        var scanner = Substring(text.trimmingCharacters(in: .whitespacesAndNewlines))
        if scanner.hasPrefix("<?xml") {
            guard let end = scanner.range(of: "?>") else { return nil }
            scanner = scanner[end.upperBound...].drop { $0.isWhitespace }
        }
        guard scanner.hasPrefix("<xml>"), scanner.hasSuffix("</xml>") else { return nil }
        var body = scanner.dropFirst(5).dropLast(6)
        var fields: [String: String] = [:]
        while true {
            body = body.drop { $0.isWhitespace }
            if body.isEmpty { break }
            guard body.first == "<", let close = body.firstIndex(of: ">") else { return nil }
            let name = body[body.index(after: body.startIndex)..<close]
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else { return nil }
            body = body[body.index(after: close)...]
            let end = "</\(name)>"
            let value: String
            if body.hasPrefix("<![CDATA[") {
                let inner = body.dropFirst(9)
                guard let cdataEnd = inner.range(of: "]]>") else { return nil }
                value = String(inner[..<cdataEnd.lowerBound])
                body = inner[cdataEnd.upperBound...].drop { $0.isWhitespace }
                guard body.hasPrefix(end) else { return nil }
            } else {
                guard let endRange = body.range(of: end) else { return nil }
                let raw = body[..<endRange.lowerBound]
                if raw.contains("<") {
                    value = String(raw)
                } else {
                    guard let decoded = decodeEntities(raw) else { return nil }
                    value = decoded
                }
                body = body[endRange.lowerBound...]
            }
            body = body.dropFirst(end.count)
            // A repeated field is not something WeCom sends; refuse rather than pick one.
            guard fields[String(name)] == nil else { return nil }
            fields[String(name)] = value
        }
        return fields
    }

    static func decodeEntities(_ raw: Substring) -> String? {
        guard raw.contains("&") else { return String(raw) }
        var out = ""
        var rest = raw
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";") else { return nil }
            let entity = rest[rest.index(after: amp)..<semi]
            switch entity {
            case "lt": out += "<"
            case "gt": out += ">"
            case "amp": out += "&"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                let number: UInt32? = if entity.hasPrefix("#x") { UInt32(entity.dropFirst(2), radix: 16) }
                    else if entity.hasPrefix("#") { UInt32(entity.dropFirst(), radix: 10) } else { nil }
                guard let number, let scalar = Unicode.Scalar(number) else { return nil }
                out.unicodeScalars.append(scalar)
            }
            rest = rest[rest.index(after: semi)...]
        }
        return out + rest
    }
}
