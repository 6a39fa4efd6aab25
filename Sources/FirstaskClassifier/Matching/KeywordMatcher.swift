/// Finds every rule keyword in a normalised message in one pass.
///
/// Matching rules (the header of prompts/rules.yaml documents them):
/// - A keyword that starts with an ASCII letter or digit needs a word boundary before it, and one that
///   ends with one needs a boundary after it ("fee" does not fire inside "coffee", "tow" not in "tower").
///   Chinese characters count as boundaries, so "501厨房" finds 厨房 and "b2 parking lot的灯" finds "parking lot".
/// - A keyword written with a trailing `*` is a prefix: `leak*` matches leak, leaks, leaking.
/// - `{n}` in a keyword stands for a number written with digits or Chinese numerals (3, 12, 三, 二十, 几十,
///   好多) but not a bare 一 or 1, so `{n}次了` matches 三次了, 12次了 and 好多次了 but not 一次了.
/// - Only maximal hits are returned: a hit lying inside a longer hit is dropped ("smoke detector" hides
///   "smoke", 煤气费 hides 煤气). This is what lets `ignore` phrases and longer keywords override shorter ones.
///
/// How: plain keywords (nearly all of them) go into one ``AhoCorasick`` automaton, which reads the text
/// once whatever the number of keywords. Keywords with `{n}` cannot: a numeral may be a literal
/// character of one keyword and part of the number of another. They live in a small ``NumberPatterns``
/// trie that the same pass enters only where one of them can start (where a run of numerals starts, or
/// at 第 for 第{n}次), which is rare in messages. Boundaries and prefixes are checked when a hit is reported.
struct KeywordMatcher: Sendable {
    /// One occurrence of a keyword in the text, as scalar offsets `start..<end`.
    struct Hit: Sendable, Equatable {
        var keyword: Int32
        var start: Int32
        var end: Int32
    }

    static let numberPlaceholder = "{n}"

    struct Keyword: Sendable {
        var leftBoundary: Bool
        var rightBoundary: Bool
        var prefix: Bool
        /// Length in scalars (plain keywords only; `{n}` keywords vary).
        var length: Int32
    }

    enum Token: Equatable, Sendable {
        case scalar(Unicode.Scalar)
        case number
    }

    /// Collects keywords while a rules file is parsed; ``build()`` compiles them.
    struct Builder {
        private var keywords: [Keyword] = []
        private var ids: [String: Int32] = [:]
        private var plain: [(scalars: [Unicode.Scalar], id: Int32)] = []
        private var numbered: [(tokens: [Token], id: Int32)] = []

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
            let tokens = KeywordMatcher.tokens(body)
            guard let first = tokens.first, let last = tokens.last else { return nil }
            let id = Int32(keywords.count)
            keywords.append(Keyword(
                leftBoundary: KeywordMatcher.isWordLike(first),
                rightBoundary: !prefix && KeywordMatcher.isWordLike(last),
                prefix: prefix,
                length: Int32(tokens.count)
            ))
            if tokens.contains(.number) {
                numbered.append((tokens, id))
            } else {
                plain.append((tokens.compactMap { if case .scalar(let scalar) = $0 { scalar } else { nil } }, id))
            }
            ids[spelling] = id
            return id
        }

        func build() -> KeywordMatcher {
            let numbers = NumberPatterns(patterns: numbered)
            // Characters that can start a `{n}` keyword get symbols too, so one table lookup per
            // character answers both "where does the automaton go" and "may a number keyword start here".
            var alphabet = AhoCorasick.Alphabet()
            let numerals = numbers.startsWithNumber ? KeywordMatcher.numerals : []
            for scalar in numbers.literalStarts + numerals { _ = alphabet.add(scalar) }
            // A keyword starting with a word scalar needs a boundary before it (see ``report``), so the
            // automaton need not follow suffixes that start inside a word.
            let automaton = AhoCorasick(patterns: plain, alphabet: alphabet, wordScalar: TextNormalizer.isWordScalar)
            var starts = [NumberStart](repeating: .never, count: Int(automaton.alphabet.symbolCount) + 1)
            for scalar in numerals { starts[Int(automaton.alphabet.symbol(scalar))] = .atRunStart }
            for scalar in numbers.literalStarts { starts[Int(automaton.alphabet.symbol(scalar))] = .always }
            return KeywordMatcher(keywords: keywords, automaton: automaton, numbers: numbers, numberStarts: starts)
        }
    }

    private let keywords: [Keyword]
    private let automaton: AhoCorasick
    private let numbers: NumberPatterns
    /// Whether a `{n}` keyword may start at a character.
    enum NumberStart: UInt8, Sendable {
        case never
        /// A numeral: only where a run of numerals starts.
        case atRunStart
        /// The literal first character of such a keyword.
        case always
    }

    /// Indexed by symbol.
    private let numberStarts: [NumberStart]

    var count: Int { keywords.count }

    /// The automaton's size: its states, its stored transitions and the cells of its double array.
    var automatonSize: (states: Int, transitions: Int, cells: Int) {
        (automaton.stateCount, automaton.transitionCount, automaton.cellCount)
    }

    /// Scratch buffers for ``hits(in:into:scratch:)``, kept by a caller that matches message after message.
    struct Scratch: Sendable {
        var stack: NumberPatterns.Stack = []
        /// The automaton pass's output: `index << 32 | state` where keywords end.
        var ends: [UInt64] = []
    }

    /// All maximal keyword hits, ordered by start offset (longer first on the same start).
    func hits(in text: [Unicode.Scalar]) -> [Hit] {
        var found: [Hit] = []
        var scratch = Scratch()
        hits(in: text, into: &found, scratch: &scratch)
        return found
    }

    /// ``hits(in:)`` into a caller's buffers (emptied first), so that a loop over messages reuses them.
    func hits(in text: [Unicode.Scalar], into hits: inout [Hit], scratch: inout Scratch) {
        hits.removeAll(keepingCapacity: true)
        // Room for a mark at every character (see ``AhoCorasick/View/ends(in:into:)``).
        if scratch.ends.count < text.count {
            scratch.ends.append(contentsOf: repeatElement(0, count: text.count - scratch.ends.count))
        }
        automaton.withView { automaton in
        numberStarts.withUnsafeBufferPointer { numberStarts in
        keywords.withUnsafeBufferPointer { keywords in
        text.withUnsafeBufferPointer { text in
            // Three passes: the automaton alone, a small loop that keeps its state in registers and only
            // notes where keywords end; then the keywords ending there; then, only where a `{n}` keyword
            // may start, the number walks.
            scratch.ends.withUnsafeMutableBufferPointer { ends in
                let count = automaton.ends(in: text, into: ends.baseAddress!)
                for mark in ends[0..<count] {
                    let end = Int(mark >> 32) + 1
                    automaton.forEachMatch(in: AhoCorasick.State(truncatingIfNeeded: mark)) { keyword in
                        report(keywords[Int(keyword)], keyword, start: end - Int(keywords[Int(keyword)].length), end: end,
                               text: text, into: &hits)
                    }
                }
            }
            guard numbers.isEmpty == false else { return }
            // A walk from inside a run of numerals only finds hits that the walk from the run's start
            // hides, unless that one is blocked by a Latin letter glued to the run (b三次了).
            var runStartBlocked = false
            for index in 0..<text.count {
                let walk: Bool
                switch numberStarts[Int(automaton.symbol(text[index]))] {
                case .never:
                    continue
                case .atRunStart:
                    let insideRun = index > 0 && Self.isNumeral(text[index - 1])
                    if !insideRun { runStartBlocked = index > 0 && TextNormalizer.isWordScalar(text[index - 1]) }
                    walk = !insideRun || runStartBlocked
                case .always:
                    walk = true
                }
                if walk {
                    numbers.matches(in: text, from: index, stack: &scratch.stack) { keyword, end in
                        report(keywords[Int(keyword)], keyword, start: index, end: end, text: text, into: &hits)
                    }
                }
            }
        }
        }
        }
        }
        Self.keepMaximal(&hits)
    }

    @inline(__always)
    private func report(_ keyword: Keyword, _ id: Int32, start: Int, end: Int, text: UnsafeBufferPointer<Unicode.Scalar>, into hits: inout [Hit]) {
        if keyword.leftBoundary && start > 0 && TextNormalizer.isWordScalar(text[start - 1]) { return }
        if keyword.rightBoundary && end < text.count && TextNormalizer.isWordScalar(text[end]) { return }
        var hitEnd = end
        if keyword.prefix {
            // A prefix hit covers its whole word, so "renovation" and "renovat*" are the same span.
            while hitEnd < text.count && TextNormalizer.isWordScalar(text[hitEnd]) { hitEnd += 1 }
        }
        hits.append(Hit(keyword: id, start: Int32(start), end: Int32(hitEnd)))
    }

    /// Drops hits that lie inside a longer hit; hits with the same span are all kept.
    static func maximal(_ hits: [Hit]) -> [Hit] {
        var hits = hits
        keepMaximal(&hits)
        return hits
    }

    /// ``maximal(_:)`` in place: sorts by start (longer first) and drops hits inside longer ones.
    static func keepMaximal(_ sorted: inout [Hit]) {
        guard sorted.count > 1 else { return }
        sorted.sort { $0.start != $1.start ? $0.start < $1.start : $0.end > $1.end }
        var kept = 0
        var maxEnd: Int32 = -1
        var maxSpan: (start: Int32, end: Int32) = (-1, -1)
        for index in sorted.indices {
            let hit = sorted[index]
            let sameSpan = hit.start == maxSpan.start && hit.end == maxSpan.end
            if hit.end <= maxEnd && !sameSpan { continue }
            sorted[kept] = hit
            kept += 1
            if hit.end > maxEnd {
                maxEnd = hit.end
                maxSpan = (hit.start, hit.end)
            }
        }
        sorted.removeLast(sorted.count - kept)
    }

    static func tokens(_ body: String) -> [Token] {
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
    static let numerals: [Unicode.Scalar] = Array("0123456789〇零一二两三四五六七八九十百千几多好".unicodeScalars)

    static func isNumeral(_ scalar: Unicode.Scalar) -> Bool {
        if TextNormalizer.isDigit(scalar) { return true }
        switch scalar {
        case "〇", "零", "一", "二", "两", "三", "四", "五", "六", "七", "八", "九", "十", "百", "千", "几", "多", "好": return true
        default: return false
        }
    }
}
