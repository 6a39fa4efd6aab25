import Foundation

/// A model file that cannot be used: which line and what is wrong (never a gram's text).
public struct NgramModelError: Error, CustomStringConvertible {
    public var line: Int
    public var message: String
    public var description: String { "line \(line): \(message)" }
}

/// `prompts/ngram-model.tsv`: tab-separated lines, written by `firstask rules train`.
///
///     # comment
///     format       1
///     thresholds   emergency=0.4   major=0.5
///     head         severity   emergency   major   general
///     bias         severity   0.12   -0.30   0.18
///     gram         漏水   3.21   0.01,-0.02,0.01
///
/// A gram's text escapes backslash, tab and newline as `\\`, `\t`, `\n`. Weights are per class, in the
/// order of the head's line.
extension NgramModel {
    public static let fileName = "ngram-model.tsv"

    public static func parse(_ text: String) throws -> NgramModel {
        var heads: [String: Head] = [:]
        var thresholds: [String: Float] = [:]
        var grams: [String] = []
        var idf: [Float] = []
        var severityWeights: [Float] = []
        var sawFormat = false
        var lineNumber = 0
        func fail(_ message: String) -> NgramModelError { NgramModelError(line: lineNumber, message: message) }
        func floats(_ field: Substring, count: Int, what: String) throws -> [Float] {
            let values = field.split(separator: ",", omittingEmptySubsequences: false).map { Float($0) }
            guard values.count == count, values.allSatisfy({ $0?.isFinite == true }) else {
                throw fail("\(what): expected \(count) numbers separated by commas")
            }
            return values.map { $0! }
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            switch fields[0] {
            case "format":
                guard fields.count == 2, fields[1] == "1" else { throw fail("unsupported format (this build reads format 1)") }
                sawFormat = true
            case "thresholds":
                for field in fields.dropFirst() {
                    let pair = field.split(separator: "=")
                    guard pair.count == 2, let value = Float(pair[1]), value >= 0, value <= 1,
                          ["emergency", "major"].contains(String(pair[0]))
                    else { throw fail("thresholds: expected emergency= and major= with values from 0 to 1") }
                    thresholds[String(pair[0])] = value
                }
            case "head":
                guard fields.count >= 3, fields[1] == "severity" else { throw fail("head: expected severity and its classes") }
                heads[String(fields[1])] = Head(classes: fields.dropFirst(2).map(String.init), bias: [], weights: [])
            case "bias":
                guard fields.count == 3, let head = heads[String(fields[1])] else { throw fail("bias before its head line") }
                heads[String(fields[1])]?.bias = try floats(fields[2], count: head.classes.count, what: "bias")
            case "gram":
                guard let severity = heads["severity"] else { throw fail("gram before the head line") }
                guard fields.count == 4, !fields[1].isEmpty, let value = Float(fields[2]), value.isFinite else {
                    throw fail("gram: expected the gram, its idf and its weights")
                }
                let gram = unescape(fields[1])
                guard (1...3).contains(gram.unicodeScalars.count) else { throw fail("gram: a gram is 1 to 3 characters") }
                grams.append(gram)
                idf.append(value)
                severityWeights += try floats(fields[3], count: severity.classes.count, what: "weights")
            default:
                throw fail("unknown line kind (expected format, thresholds, head, bias or gram)")
            }
        }
        lineNumber = 0
        guard sawFormat else { throw fail("the format line is missing") }
        guard var severity = heads["severity"], !severity.bias.isEmpty else { throw fail("the head and its bias are missing") }
        guard Set(severity.classes) == ["emergency", "major", "general"] else {
            throw fail("the severity head must have the classes emergency, major and general")
        }
        guard Set(grams).count == grams.count else { throw fail("a gram is listed twice") }
        severity.weights = severityWeights
        var model = NgramModel(grams: grams, idf: idf, severity: severity,
                               emergencyThreshold: thresholds["emergency"] ?? 0.4, majorThreshold: thresholds["major"] ?? 0.5)
        model.version = RuleSet.fnv1a64(text)
        return model
    }

    /// The file `parse` reads; weights rounded to three decimals.
    public func serialized(comment: [String] = []) -> String {
        var lines = comment.map { "# " + $0 }
        lines.append("format\t1")
        lines.append("thresholds\temergency=\(Self.number(emergencyThreshold))\tmajor=\(Self.number(majorThreshold))")
        lines.append((["head", "severity"] + severity.classes).joined(separator: "\t"))
        lines.append("bias\tseverity\t" + severity.bias.map(Self.number).joined(separator: ","))
        let width = severity.classes.count
        for (index, gram) in grams.enumerated() {
            let weights = severity.weights[index * width..<(index + 1) * width].map(Self.number)
            lines.append("gram\t\(Self.escape(gram))\t\(Self.number(idf[index]))\t\(weights.joined(separator: ","))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func number(_ value: Float) -> String {
        let rounded = (value * 1_000).rounded() / 1_000
        if rounded == 0 { return "0" }
        var text = String(format: "%.3f", rounded)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    static func escape(_ gram: String) -> String {
        var out = ""
        for character in gram.unicodeScalars {
            switch character {
            case "\\": out += "\\\\"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    static func unescape(_ field: Substring) -> String {
        var out = ""
        var escaping = false
        for character in field.unicodeScalars {
            if escaping {
                switch character {
                case "t": out += "\t"
                case "n": out += "\n"
                case "r": out += "\r"
                default: out.unicodeScalars.append(character)
                }
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                out.unicodeScalars.append(character)
            }
        }
        return out
    }
}
