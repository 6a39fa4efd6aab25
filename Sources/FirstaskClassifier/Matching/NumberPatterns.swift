/// The keywords with a `{n}` number placeholder (`{n}次了`, `第{n}次`, `{n}十几户`), matched by a small
/// backtracking trie walk from one start position.
///
/// A `{n}` consumes one or more numerals (``KeywordMatcher/isNumeral(_:)``), but a number that is exactly
/// 一 or 1 may not end it. Because a numeral can also be a literal character of the same keyword
/// (`{n}十户` on 几十户), the walk explores every way through the trie; these keywords are few and short,
/// and ``KeywordMatcher`` only starts a walk at characters in ``startScalars``.
struct NumberPatterns: Sendable {
    /// A trie node while the patterns are added.
    private struct BuildNode {
        var children: [(scalar: UInt32, node: Int32)] = []
        var number: Int32 = -1
        var numberLoop = false
        var terminals: [Int32] = []
    }

    /// A trie node, flat: its literal children are `children[firstChild ..< firstChild + childCount]` (a
    /// handful at most, so a linear scan), its keywords `terminals[firstTerminal ..< …]`. No arrays inside,
    /// so reading a node during a walk costs no reference counting.
    private struct Node: Sendable {
        var firstChild: Int32
        var childCount: Int32
        /// Child reached by a `{n}` placeholder, or -1.
        var number: Int32
        /// True for a node reached by `{n}`: further numerals stay on it.
        var numberLoop: Bool
        var firstTerminal: Int32
        var terminalCount: Int32
    }

    private var nodes: [Node] = []
    private var children: [(scalar: UInt32, node: Int32)] = []
    private var terminals: [Int32] = []
    /// First characters of keywords that start with a literal character (第 in 第{n}次): a walk starts
    /// at every one of them.
    private(set) var literalStarts: [Unicode.Scalar] = []
    /// Whether some keyword starts with `{n}`: then a walk starts where a run of numerals starts. A
    /// walk from inside a run finds nothing maximal, since the same keyword also matches from the
    /// run's start, with a longer number.
    private(set) var startsWithNumber = false
    /// For the keywords that start with `{n}`: the first literal character of each that is not a numeral
    /// (次 in `{n}十几次`), sorted. A run of numerals can only start a match when one of these follows it.
    private var runFollowers: [UInt32] = []
    /// Whether some keyword that starts with `{n}` has no such character: then every run must be walked.
    private var runMayEndMatch = false

    /// Whether there are no `{n}` keywords at all.
    var isEmpty: Bool { nodes.count <= 1 }

    /// A stack for ``matches(in:from:stack:_:)``, kept by the caller so that walks do not allocate.
    typealias Stack = [(node: Int32, index: Int, justOne: Bool)]

    init(patterns: [(tokens: [KeywordMatcher.Token], id: Int32)]) {
        var trie = [BuildNode()]
        var starts = Set<UInt32>()
        for pattern in patterns {
            var node = 0
            for token in pattern.tokens {
                switch token {
                case .scalar(let scalar):
                    if node == 0 { starts.insert(scalar.value) }
                    if let next = trie[node].children.first(where: { $0.scalar == scalar.value })?.node {
                        node = Int(next)
                    } else {
                        trie.append(BuildNode())
                        let next = Int32(trie.count - 1)
                        trie[node].children.append((scalar.value, next))
                        node = Int(next)
                    }
                case .number:
                    if node == 0 { startsWithNumber = true }
                    if trie[node].number < 0 {
                        trie.append(BuildNode(numberLoop: true))
                        trie[node].number = Int32(trie.count - 1)
                    }
                    node = Int(trie[node].number)
                }
            }
            trie[node].terminals.append(pattern.id)
        }
        var followers = Set<UInt32>()
        for pattern in patterns where pattern.tokens.first == .number {
            let follower = pattern.tokens.lazy.compactMap { token -> UInt32? in
                guard case .scalar(let scalar) = token, !KeywordMatcher.isNumeral(scalar) else { return nil }
                return scalar.value
            }.first
            if let follower { followers.insert(follower) } else { runMayEndMatch = true }
        }
        runFollowers = followers.sorted()
        for node in trie {
            nodes.append(Node(firstChild: Int32(children.count), childCount: Int32(node.children.count), number: node.number,
                              numberLoop: node.numberLoop, firstTerminal: Int32(terminals.count),
                              terminalCount: Int32(node.terminals.count)))
            children += node.children
            terminals += node.terminals
        }
        literalStarts = starts.sorted().compactMap(Unicode.Scalar.init)
    }

    /// False when no keyword can match from `start`, decided from the next character or two. Nearly every
    /// walk would die there: 不 is rarely followed by 下, and a number rarely by 次.
    @inline(__always)
    private func mayMatch(in text: UnsafeBufferPointer<Unicode.Scalar>, from start: Int,
                          nodes: UnsafeBufferPointer<Node>, children: UnsafeBufferPointer<(scalar: UInt32, node: Int32)>) -> Bool {
        let scalar = text[start]
        if let literal = Self.child(of: nodes[0], scalar, children: children) {
            let node = nodes[Int(literal)]
            if node.terminalCount > 0 { return true }
            guard start + 1 < text.count else { return false }
            let next = text[start + 1]
            if Self.child(of: node, next, children: children) != nil { return true }
            if node.number >= 0 && KeywordMatcher.isNumeral(next) { return true }
        }
        guard nodes[0].number >= 0, KeywordMatcher.isNumeral(scalar) else { return false }
        if runMayEndMatch { return true }
        var end = start + 1
        while end < text.count && KeywordMatcher.isNumeral(text[end]) { end += 1 }
        guard end < text.count else { return false }
        let follower = text[end].value
        for candidate in runFollowers where candidate >= follower { return candidate == follower }
        return false
    }

    @inline(__always)
    private static func child(of node: Node, _ scalar: Unicode.Scalar, children: UnsafeBufferPointer<(scalar: UInt32, node: Int32)>) -> Int32? {
        for child in Int(node.firstChild)..<Int(node.firstChild + node.childCount) where children[child].scalar == scalar.value {
            return children[child].node
        }
        return nil
    }

    /// Calls `body(keyword, end)` for every keyword occurrence that starts at `start`.
    func matches(in text: UnsafeBufferPointer<Unicode.Scalar>, from start: Int, stack: inout Stack, _ body: (Int32, Int) -> Void) {
        nodes.withUnsafeBufferPointer { nodes in
        children.withUnsafeBufferPointer { children in
        terminals.withUnsafeBufferPointer { terminals in
            guard mayMatch(in: text, from: start, nodes: nodes, children: children) else { return }
            let count = text.count
            // `justOne`: the `{n}` being matched so far is exactly 一 or 1, which may not end it.
            stack.removeAll(keepingCapacity: true)
            stack.append((0, start, false))
            while let (node32, index, justOne) = stack.popLast() {
                let node = nodes[Int(node32)]
                if node32 != 0 && !justOne {
                    for terminal in Int(node.firstTerminal)..<Int(node.firstTerminal + node.terminalCount) {
                        body(terminals[terminal], index)
                    }
                }
                guard index < count else { continue }
                let scalar = text[index]
                if !justOne, let child = Self.child(of: node, scalar, children: children) {
                    stack.append((child, index + 1, false))
                }
                if KeywordMatcher.isNumeral(scalar) {
                    if node.numberLoop {
                        stack.append((node32, index + 1, false))
                    }
                    if node.number >= 0 {
                        stack.append((node.number, index + 1, scalar == "一" || scalar == "1"))
                    }
                }
            }
        }
        }
        }
    }
}
