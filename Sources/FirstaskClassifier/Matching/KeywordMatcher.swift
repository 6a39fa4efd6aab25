/// Finds every rule keyword in a normalised message in one pass over a trie.
///
/// Matching rules (see DESIGN.md, "Layers"):
/// - A keyword that starts with an ASCII letter or digit needs a word boundary before it, and one that
///   ends with one needs a boundary after it ("fee" does not fire inside "coffee", "tow" not in "tower").
///   Chinese characters count as boundaries, so "501厨房" finds 厨房 and "b2 parking lot的灯" finds "parking lot".
/// - A keyword written with a trailing `*` is a prefix: `leak*` matches leak, leaks, leaking.
/// - `{n}` in a keyword stands for a number written with digits or Chinese numerals (3, 12, 三, 二十, 几十,
///   好多) but not a bare 一 or 1, so `{n}次了` matches 三次了, 12次了 and 好多次了 but not 一次了.
/// - Only maximal hits are returned: a hit lying inside a longer hit is dropped ("smoke detector" hides
///   "smoke", 煤气费 hides 煤气). This is what lets `ignore` phrases and longer keywords override shorter ones.
struct KeywordMatcher: Sendable {
    /// One occurrence of a keyword in the text, as scalar offsets `start..<end`.
    struct Hit: Sendable, Equatable {
        var keyword: Int32
        var start: Int
        var end: Int
    }

    static let numberPlaceholder = "{n}"

    private struct Keyword: Sendable {
        var leftBoundary: Bool
        var rightBoundary: Bool
        var prefix: Bool
    }

    private struct Node: Sendable {
        var children: [UInt32: Int32] = [:]
        /// Child reached by a `{n}` placeholder, or -1.
        var number: Int32 = -1
        /// True for a node reached by `{n}`: further numeral characters stay on it.
        var numberLoop = false
        var terminals: [Int32] = []
    }

    private enum Token: Equatable {
        case scalar(Unicode.Scalar)
        case number
    }

    private var nodes: [Node] = [Node()]
    private var keywords: [Keyword] = []
    private var ids: [String: Int32] = [:]

    var count: Int { keywords.count }

    /// Registers a keyword (already normalised, with an optional trailing `*`) and returns its id.
    /// Registering the same spelling twice returns the same id. Returns nil for an empty keyword.
    mutating func add(_ spelling: String) -> Int32? {
        if let id = ids[spelling] { return id }
        var body = spelling
        var prefix = false
        if body.hasSuffix("*") {
            prefix = true
            body.removeLast()
        }
        let tokens = Self.tokens(body)
        guard let first = tokens.first, let last = tokens.last else { return nil }
        let id = Int32(keywords.count)
        keywords.append(Keyword(
            leftBoundary: Self.isWordLike(first),
            rightBoundary: !prefix && Self.isWordLike(last),
            prefix: prefix
        ))
        var node = 0
        for token in tokens {
            switch token {
            case .scalar(let scalar):
                if let next = nodes[node].children[scalar.value] {
                    node = Int(next)
                } else {
                    nodes.append(Node())
                    let next = Int32(nodes.count - 1)
                    nodes[node].children[scalar.value] = next
                    node = Int(next)
                }
            case .number:
                if nodes[node].number < 0 {
                    nodes.append(Node(numberLoop: true))
                    nodes[node].number = Int32(nodes.count - 1)
                }
                node = Int(nodes[node].number)
            }
        }
        nodes[node].terminals.append(id)
        ids[spelling] = id
        return id
    }

    /// All maximal keyword hits, ordered by start offset.
    func hits(in text: [Unicode.Scalar]) -> [Hit] {
        var hits: [Hit] = []
        let count = text.count
        // `justOne`: the `{n}` being matched so far is exactly 一 or 1, which may not end it.
        var stack: [(node: Int, index: Int, justOne: Bool)] = []
        for start in 0..<count {
            let precededByWord = start > 0 && TextNormalizer.isWordScalar(text[start - 1])
            stack.append((0, start, false))
            while let (node, index, justOne) = stack.popLast() {
                if node != 0 && !justOne {
                    report(nodes[node].terminals, start: start, end: index, precededByWord: precededByWord, text: text, into: &hits)
                }
                guard index < count else { continue }
                let scalar = text[index]
                if !justOne, let next = nodes[node].children[scalar.value] {
                    stack.append((Int(next), index + 1, false))
                }
                if Self.isNumeral(scalar) {
                    if nodes[node].numberLoop {
                        stack.append((node, index + 1, false))
                    }
                    if nodes[node].number >= 0 {
                        stack.append((Int(nodes[node].number), index + 1, scalar == "一" || scalar == "1"))
                    }
                }
            }
        }
        return Self.maximal(hits)
    }

    private func report(_ terminals: [Int32], start: Int, end: Int, precededByWord: Bool, text: [Unicode.Scalar], into hits: inout [Hit]) {
        for id in terminals {
            let keyword = keywords[Int(id)]
            if keyword.leftBoundary && precededByWord { continue }
            if keyword.rightBoundary && end < text.count && TextNormalizer.isWordScalar(text[end]) { continue }
            var hitEnd = end
            if keyword.prefix {
                // A prefix hit covers its whole word, so "renovation" and "renovat*" are the same span.
                while hitEnd < text.count && TextNormalizer.isWordScalar(text[hitEnd]) { hitEnd += 1 }
            }
            hits.append(Hit(keyword: id, start: start, end: hitEnd))
        }
    }

    /// Drops hits that lie inside a longer hit; hits with the same span are all kept.
    private static func maximal(_ hits: [Hit]) -> [Hit] {
        guard hits.count > 1 else { return hits }
        let sorted = hits.sorted { $0.start != $1.start ? $0.start < $1.start : $0.end > $1.end }
        var result: [Hit] = []
        result.reserveCapacity(sorted.count)
        var maxEnd = -1
        var maxSpan = (start: -1, end: -1)
        for hit in sorted {
            let sameSpan = hit.start == maxSpan.start && hit.end == maxSpan.end
            if hit.end <= maxEnd && !sameSpan { continue }
            result.append(hit)
            if hit.end > maxEnd {
                maxEnd = hit.end
                maxSpan = (hit.start, hit.end)
            }
        }
        return result
    }

    private static func tokens(_ body: String) -> [Token] {
        var tokens: [Token] = []
        var rest = Substring(body)
        while let scalar = rest.unicodeScalars.first {
            if rest.hasPrefix(numberPlaceholder) {
                tokens.append(.number)
                rest = rest.dropFirst(numberPlaceholder.count)
            } else {
                tokens.append(.scalar(scalar))
                rest = Substring(rest.unicodeScalars.dropFirst())
            }
        }
        return tokens
    }

    private static func isWordLike(_ token: Token) -> Bool {
        switch token {
        case .scalar(let scalar): TextNormalizer.isWordScalar(scalar)
        case .number: true
        }
    }

    /// Characters a `{n}` placeholder consumes.
    static func isNumeral(_ scalar: Unicode.Scalar) -> Bool {
        if TextNormalizer.isDigit(scalar) { return true }
        switch scalar {
        case "〇", "零", "一", "二", "两", "三", "四", "五", "六", "七", "八", "九", "十", "百", "千", "几", "多", "好": return true
        default: return false
        }
    }
}
