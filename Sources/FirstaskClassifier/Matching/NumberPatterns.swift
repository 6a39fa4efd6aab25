/// The keywords with a `{n}` number placeholder (`{n}次了`, `第{n}次`, `{n}十几户`), matched by a small
/// backtracking trie walk from one start position.
///
/// A `{n}` consumes one or more numerals (``KeywordMatcher/isNumeral(_:)``), but a number that is exactly
/// 一 or 1 may not end it. Because a numeral can also be a literal character of the same keyword
/// (`{n}十户` on 几十户), the walk explores every way through the trie; these keywords are few and short,
/// and ``KeywordMatcher`` only starts a walk at characters in ``startScalars``.
struct NumberPatterns: Sendable {
    private struct Node: Sendable {
        /// Literal children as (scalar value, node): a handful at most, so a linear scan (no hashing).
        var children: [(scalar: UInt32, node: Int32)] = []
        /// Child reached by a `{n}` placeholder, or -1.
        var number: Int32 = -1
        /// True for a node reached by `{n}`: further numerals stay on it.
        var numberLoop = false
        var terminals: [Int32] = []
    }

    private var nodes: [Node] = [Node()]
    /// First characters of keywords that start with a literal character (第 in 第{n}次): a walk starts
    /// at every one of them.
    private(set) var literalStarts: [Unicode.Scalar] = []
    /// Whether some keyword starts with `{n}`: then a walk starts where a run of numerals starts. A
    /// walk from inside a run finds nothing maximal, since the same keyword also matches from the
    /// run's start, with a longer number.
    private(set) var startsWithNumber = false

    /// A stack for ``matches(in:from:stack:_:)``, kept by the caller so that walks do not allocate.
    typealias Stack = [(node: Int32, index: Int, justOne: Bool)]

    init(patterns: [(tokens: [KeywordMatcher.Token], id: Int32)]) {
        var starts = Set<UInt32>()
        for pattern in patterns {
            var node = 0
            for token in pattern.tokens {
                switch token {
                case .scalar(let scalar):
                    if node == 0 { starts.insert(scalar.value) }
                    if let next = child(of: node, scalar.value) {
                        node = Int(next)
                    } else {
                        nodes.append(Node())
                        let next = Int32(nodes.count - 1)
                        nodes[node].children.append((scalar.value, next))
                        node = Int(next)
                    }
                case .number:
                    if node == 0 { startsWithNumber = true }
                    if nodes[node].number < 0 {
                        nodes.append(Node(numberLoop: true))
                        nodes[node].number = Int32(nodes.count - 1)
                    }
                    node = Int(nodes[node].number)
                }
            }
            nodes[node].terminals.append(pattern.id)
        }
        literalStarts = starts.sorted().compactMap(Unicode.Scalar.init)
    }

    @inline(__always)
    private func child(of node: Int, _ scalar: UInt32) -> Int32? {
        for child in nodes[node].children where child.scalar == scalar { return child.node }
        return nil
    }

    /// Calls `body(keyword, end)` for every keyword occurrence that starts at `start`.
    func matches(in text: UnsafeBufferPointer<Unicode.Scalar>, from start: Int, stack: inout Stack, _ body: (Int32, Int) -> Void) {
        let count = text.count
        // `justOne`: the `{n}` being matched so far is exactly 一 or 1, which may not end it.
        stack.removeAll(keepingCapacity: true)
        stack.append((0, start, false))
        while let (node32, index, justOne) = stack.popLast() {
            let node = Int(node32)
            if node != 0 && !justOne {
                for id in nodes[node].terminals { body(id, index) }
            }
            guard index < count else { continue }
            let scalar = text[index]
            if !justOne, let next = child(of: node, scalar.value) {
                stack.append((next, index + 1, false))
            }
            if KeywordMatcher.isNumeral(scalar) {
                if nodes[node].numberLoop {
                    stack.append((node32, index + 1, false))
                }
                if nodes[node].number >= 0 {
                    stack.append((nodes[node].number, index + 1, scalar == "一" || scalar == "1"))
                }
            }
        }
    }
}
