/// An Aho–Corasick automaton: finds every occurrence of every pattern in one left-to-right pass.
///
/// The patterns form a trie. Each trie node also has a *failure link*: the node of the longest proper
/// suffix of its path that is also a path in the trie. Reading a character, the automaton follows the
/// child for that character if there is one, otherwise the failure links until some node has that
/// child (or the root is reached). Each character therefore costs amortised constant time, however
/// many patterns there are. A node's *output link* points to the nearest node on its failure chain
/// where a pattern ends, so reporting the patterns ending at a position visits only real matches.
///
/// Storage is flat, for speed and for a size that grows with the patterns rather than the alphabet:
/// - scalars are remapped to a dense alphabet of the scalars that occur in patterns (``Alphabet``);
///   any other scalar is symbol 0 and sends the automaton straight back to the root;
/// - the root has a dense transition array over the whole alphabet, so restarting is one load;
/// - every other node keeps its children as a sorted run in one shared edge array.
struct AhoCorasick: Sendable {
    /// Maps scalars to dense symbols `1...symbolCount`; 0 means "in no pattern".
    struct Alphabet: Sendable {
        /// Indexed by scalar value for scalars below `table.count` (at most the BMP). 16-bit entries keep
        /// the table small enough to stay in cache: it is read for every character of every message.
        private var table: [UInt16] = []
        /// Symbols that do not fit the table: supplementary-plane scalars (𨋢), and everything once more
        /// than 65535 distinct scalars are in use.
        private var overflow: [UInt32: UInt32] = [:]
        /// Whether `overflow` holds BMP scalars (only past 65535 symbols): otherwise a BMP scalar that
        /// the table maps to 0 is in no pattern, without a dictionary lookup.
        private var bmpOverflow = false
        private(set) var symbolCount: UInt32 = 0

        /// The symbol of `scalar`, adding it to the alphabet if it is new.
        mutating func add(_ scalar: Unicode.Scalar) -> UInt32 {
            let existing = symbol(scalar)
            if existing != 0 { return existing }
            symbolCount += 1
            let value = scalar.value
            if value < 0x10000 && symbolCount <= UInt32(UInt16.max) {
                if Int(value) >= table.count {
                    table.append(contentsOf: repeatElement(0, count: Int(value) + 1 - table.count))
                }
                table[Int(value)] = UInt16(symbolCount)
            } else {
                overflow[value] = symbolCount
                if value < 0x10000 { bmpOverflow = true }
            }
            return symbolCount
        }

        @inline(__always)
        func symbol(_ scalar: Unicode.Scalar) -> UInt32 {
            table.withUnsafeBufferPointer { symbol(scalar, table: $0) }
        }

        /// ``symbol(_:)`` with `table` already pinned (see ``AhoCorasick/withView(_:)``).
        @inline(__always)
        func symbol(_ scalar: Unicode.Scalar, table: UnsafeBufferPointer<UInt16>) -> UInt32 {
            let value = Int(scalar.value)
            if value < 0x10000 {
                let symbol = value < table.count ? table[value] : 0
                if symbol != 0 || !bmpOverflow { return UInt32(symbol) }
            } else if overflow.isEmpty {
                return 0
            }
            return overflow[scalar.value] ?? 0
        }

        func withTable<Result>(_ body: (UnsafeBufferPointer<UInt16>) -> Result) -> Result {
            table.withUnsafeBufferPointer(body)
        }
    }

    fileprivate struct Node: Sendable {
        /// This node's children: `edges[firstEdge ..< firstEdge + edgeCount]`, sorted by symbol.
        var firstEdge: Int32
        var edgeCount: Int32
        /// Longest proper suffix of this node's path that is a trie path (the root, 0, for none).
        var failure: Int32
        /// Patterns ending exactly here: `outputs[firstOutput ..< firstOutput + outputCount]`.
        var firstOutput: Int32
        var outputCount: Int32
        /// Nearest node on the failure chain with outputs of its own, or -1.
        var outputLink: Int32
    }

    fileprivate struct Edge: Sendable {
        var symbol: UInt32
        var target: Int32
    }

    private(set) var alphabet: Alphabet
    private var nodes: [Node]
    private var edges: [Edge]
    /// Root transitions, indexed by symbol: the child, or 0 (stay at the root).
    private var rootNext: [Int32]
    private var outputs: [Int32]
    /// Indexed by node: whether any pattern ends there or on its failure chain. A small array read for
    /// every character, so that nodes (a larger array) are only read when there is something to report.
    private var reports: [Bool]

    /// The state before any character has been read.
    static let start: Int32 = 0

    /// Builds the automaton for `patterns` (each a non-empty scalar sequence, identified by its index
    /// in the array). `alphabet` may already hold symbols the caller needs; pattern scalars are added.
    init(patterns: [(scalars: [Unicode.Scalar], id: Int32)], alphabet: Alphabet = Alphabet()) {
        var alphabet = alphabet
        // 1. A plain trie with dictionary children.
        var children: [[UInt32: Int32]] = [[:]]
        var ends: [[Int32]] = [[]]
        for pattern in patterns {
            var node = 0
            for scalar in pattern.scalars {
                let symbol = alphabet.add(scalar)
                if let next = children[node][symbol] {
                    node = Int(next)
                } else {
                    children.append([:])
                    ends.append([])
                    let next = Int32(children.count - 1)
                    children[node][symbol] = next
                    node = Int(next)
                }
            }
            ends[node].append(pattern.id)
        }

        // 2. Breadth-first: flatten the children into sorted edge runs and compute failure links.
        //    A node's failure target is shallower than the node, so BFS order has it ready in time.
        var nodes = [Node](repeating: Node(firstEdge: 0, edgeCount: 0, failure: 0, firstOutput: 0, outputCount: 0, outputLink: -1),
                           count: children.count)
        var edges: [Edge] = []
        edges.reserveCapacity(children.count)
        var outputs: [Int32] = []
        var rootNext = [Int32](repeating: 0, count: Int(alphabet.symbolCount) + 1)
        for (symbol, child) in children[0] { rootNext[Int(symbol)] = child }

        var queue: [Int32] = [0]
        var head = 0
        while head < queue.count {
            let node = Int(queue[head])
            head += 1
            let sorted = children[node].sorted { $0.key < $1.key }
            nodes[node].firstEdge = Int32(edges.count)
            nodes[node].edgeCount = Int32(sorted.count)
            nodes[node].firstOutput = Int32(outputs.count)
            nodes[node].outputCount = Int32(ends[node].count)
            outputs.append(contentsOf: ends[node])
            for (symbol, child) in sorted {
                edges.append(Edge(symbol: symbol, target: child))
                queue.append(child)
                if node == 0 {
                    nodes[Int(child)].failure = 0
                } else {
                    // Longest suffix that can be extended by `symbol`.
                    var fallback = Int(nodes[node].failure)
                    var target: Int32 = -1
                    while true {
                        if let next = children[fallback][symbol] {
                            target = next
                            break
                        }
                        if fallback == 0 { break }
                        fallback = Int(nodes[fallback].failure)
                    }
                    nodes[Int(child)].failure = max(target, 0)
                }
                let failure = Int(nodes[Int(child)].failure)
                nodes[Int(child)].outputLink = ends[failure].isEmpty ? nodes[failure].outputLink : Int32(failure)
            }
        }
        self.alphabet = alphabet
        self.nodes = nodes
        self.edges = edges
        self.rootNext = rootNext
        self.outputs = outputs
        self.reports = nodes.map { $0.outputCount > 0 || $0.outputLink >= 0 }
    }

    /// The state after reading `symbol` in `state`.
    @inline(__always)
    func next(_ state: Int32, _ symbol: UInt32) -> Int32 {
        if symbol == 0 { return 0 }
        var node = state
        while node != 0 {
            if let target = child(of: node, symbol) { return target }
            node = nodes[Int(node)].failure
        }
        return rootNext[Int(symbol)]
    }

    @inline(__always)
    private func child(of node: Int32, _ symbol: UInt32) -> Int32? {
        let entry = nodes[Int(node)]
        var low = Int(entry.firstEdge)
        var high = low + Int(entry.edgeCount)
        // Most nodes have one or two children: a short linear scan beats a binary search there.
        if high - low <= 4 {
            while low < high {
                if edges[low].symbol == symbol { return edges[low].target }
                low += 1
            }
            return nil
        }
        while low < high {
            let middle = (low + high) / 2
            let candidate = edges[middle].symbol
            if candidate == symbol { return edges[middle].target }
            if candidate < symbol { low = middle + 1 } else { high = middle }
        }
        return nil
    }

    /// Calls `body` with the id of every pattern that ends in `state` (longest first).
    @inline(__always)
    func forEachMatch(in state: Int32, _ body: (Int32) -> Void) {
        guard reports[Int(state)] else { return }
        var node = nodes[Int(state)].outputCount > 0 ? state : nodes[Int(state)].outputLink
        while node >= 0 {
            let entry = nodes[Int(node)]
            for index in Int(entry.firstOutput)..<Int(entry.firstOutput + entry.outputCount) {
                body(outputs[index])
            }
            node = entry.outputLink
        }
    }

    /// The automaton's arrays as raw buffers, for the loop over a message's characters: no bounds checks
    /// and no reference counting per character. Valid only inside ``withView(_:)``.
    struct View {
        fileprivate let alphabet: Alphabet
        fileprivate let table: UnsafeBufferPointer<UInt16>
        fileprivate let nodes: UnsafeBufferPointer<Node>
        fileprivate let edges: UnsafeBufferPointer<Edge>
        fileprivate let rootNext: UnsafeBufferPointer<Int32>
        fileprivate let outputs: UnsafeBufferPointer<Int32>
        fileprivate let reports: UnsafeBufferPointer<Bool>

        @inline(__always)
        func symbol(_ scalar: Unicode.Scalar) -> UInt32 {
            alphabet.symbol(scalar, table: table)
        }

        /// The state after reading `symbol` in `state` (see ``AhoCorasick/next(_:_:)``).
        @inline(__always)
        func next(_ state: Int32, _ symbol: UInt32) -> Int32 {
            if symbol == 0 { return 0 }
            var node = state
            while node != 0 {
                let entry = nodes[Int(node)]
                var low = Int(entry.firstEdge)
                var high = low + Int(entry.edgeCount)
                if high - low <= 8 {
                    while low < high {
                        if edges[low].symbol == symbol { return edges[low].target }
                        if edges[low].symbol > symbol { break }   // sorted: the symbol is not here
                        low += 1
                    }
                } else {
                    while low < high {
                        let middle = (low + high) / 2
                        let candidate = edges[middle].symbol
                        if candidate == symbol { return edges[middle].target }
                        if candidate < symbol { low = middle + 1 } else { high = middle }
                    }
                }
                node = entry.failure
            }
            return rootNext[Int(symbol)]
        }

        /// Calls `body` with the id of every pattern that ends in `state`.
        @inline(__always)
        func forEachMatch(in state: Int32, _ body: (Int32) -> Void) {
            guard reports[Int(state)] else { return }
            var node = nodes[Int(state)].outputCount > 0 ? state : nodes[Int(state)].outputLink
            while node >= 0 {
                let entry = nodes[Int(node)]
                for index in Int(entry.firstOutput)..<Int(entry.firstOutput + entry.outputCount) {
                    body(outputs[index])
                }
                node = entry.outputLink
            }
        }
    }

    /// Calls `body` with a ``View`` of the automaton.
    func withView<Result>(_ body: (View) -> Result) -> Result {
        alphabet.withTable { table in
            nodes.withUnsafeBufferPointer { nodes in
                edges.withUnsafeBufferPointer { edges in
                    rootNext.withUnsafeBufferPointer { rootNext in
                        outputs.withUnsafeBufferPointer { outputs in
                            reports.withUnsafeBufferPointer { reports in
                                body(View(alphabet: alphabet, table: table, nodes: nodes, edges: edges,
                                          rootNext: rootNext, outputs: outputs, reports: reports))
                            }
                        }
                    }
                }
            }
        }
    }

    /// Number of trie nodes (for diagnostics and tests).
    var stateCount: Int { nodes.count }
}
