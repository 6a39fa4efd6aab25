/// An Aho–Corasick automaton: finds every occurrence of every pattern in one left-to-right pass.
///
/// The patterns form a trie. Each trie node also has a *failure link*: the node of the longest proper
/// suffix of its path that is also a path in the trie. The classic matcher, reading a character with no
/// child for it, follows failure links until some node has one. This one follows them once, when it is
/// built: every state keeps the complete transition function (a DFA), so each character costs one
/// lookup and no loop. Most transitions of the complete function lead where the root's would (to the
/// root or a depth-one node); only the others are stored, so the size still grows with the patterns
/// rather than with patterns × alphabet.
///
/// Storage is flat, for speed and for cache footprint; reading a character costs one dependent memory
/// read (a state's block), as the loop over a message is bound by memory latency, not arithmetic:
/// - scalars are remapped to a dense alphabet of the scalars that occur in patterns (``Alphabet``);
///   any other scalar is symbol 0 and sends the automaton straight back to the root;
/// - the root has a dense transition array over the whole alphabet (the default for every state);
/// - each state is a block in one shared array: a one-entry header (how many transitions follow, how
///   many patterns end there and where they are listed) and then its *deep* transitions — those that differ from the root's — as
///   a short run sorted by symbol or, for the few states with many, a small hash table;
/// - a state value is the offset of its block, shifted left by one, with the lowest bit set when a
///   pattern ends there, so the matcher learns that without another read; the patterns ending in a
///   state (on its failure chain included) are one contiguous run, longest first.
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

    /// One entry of a state's block. In a header: see ``AhoCorasick``'s layout. In a transition: the
    /// symbol read and the state it leads to.
    fileprivate struct Edge: Sendable {
        var symbol: UInt32
        var target: Int32
    }

    /// A state value: the offset of the state's block in ``blocks``, shifted left by one, with bit 0 set
    /// when patterns end there. The root's block is at offset 0.
    typealias State = Int32

    private(set) var alphabet: Alphabet
    /// Every state's block: `[transition count | output count << 16, first output] transitions…`.
    private var blocks: [Edge]
    /// Root transitions (the default of every state), indexed by symbol: a state value.
    private var rootNext: [State]
    private var outputs: [Int32]
    /// Number of trie nodes (for diagnostics and tests).
    let stateCount: Int
    /// Number of stored (deep) transitions, hash-table slots included (for diagnostics and tests).
    let transitionCount: Int

    /// The state before any character has been read.
    static let start: State = 0

    /// Builds the automaton for `patterns` (each a non-empty scalar sequence, identified by its index
    /// in the array). `alphabet` may already hold symbols the caller needs; pattern scalars are added.
    ///
    /// `wordScalar`, when given, says which scalars make up words, and the caller promises to discard
    /// any match that starts with a word scalar right after another one (a keyword inside a word). The
    /// automaton then never follows a suffix that starts inside a word: "coffee" never passes through
    /// the states of "fee". It may still report such matches; it just spends no states on them. Latin
    /// text then needs far fewer stored transitions.
    init(patterns: [(scalars: [Unicode.Scalar], id: Int32)], alphabet: Alphabet = Alphabet(),
         wordScalar: ((Unicode.Scalar) -> Bool)? = nil) {
        var alphabet = alphabet
        // 1. A plain trie with dictionary children; per node, whether its last scalar is a word scalar.
        var children: [[UInt32: Int32]] = [[:]]
        var ends: [[Int32]] = [[]]
        var endsInWord = [false]
        for pattern in patterns {
            var node = 0
            for scalar in pattern.scalars {
                let symbol = alphabet.add(scalar)
                if let next = children[node][symbol] {
                    node = Int(next)
                } else {
                    children.append([:])
                    ends.append([])
                    endsInWord.append(wordScalar?(scalar) ?? false)
                    let next = Int32(children.count - 1)
                    children[node][symbol] = next
                    node = Int(next)
                }
            }
            ends[node].append(pattern.id)
        }

        // 2. Breadth-first, so that a node's failure target (always shallower) is complete before the
        //    node: failure links, then each node's outputs (its own, then its failure target's) and deep
        //    transitions (its failure target's, overridden by its own children). A depth-one node's
        //    failure target is the root, whose transitions are the defaults: it inherits none.
        //    With `wordScalar`, a suffix may only start where a word may: the one-scalar suffix `c` of a
        //    path ending in a word scalar is skipped when `c` is one too (longer suffixes found through
        //    the chain start where their own failure links allowed, so the rule holds along the chain).
        var failure = [Int32](repeating: 0, count: children.count)
        var outputLists = [[Int32]](repeating: [], count: children.count)
        var deep = [[Edge]](repeating: [], count: children.count)
        var order: [Int32] = [0]
        var head = 0
        while head < order.count {
            let node = Int(order[head])
            head += 1
            if node != 0 {
                let fallback = Int(failure[node])
                outputLists[node] = ends[node] + outputLists[fallback]
                let own = children[node].sorted { $0.key < $1.key }.map { Edge(symbol: $0.key, target: $0.value) }
                deep[node] = Self.merge(inherited: fallback == 0 ? [] : deep[fallback], own: own)
            }
            for (symbol, child) in children[node] {
                order.append(child)
                guard node != 0 else { continue }   // depth one: failure is the root
                var fallback = Int(failure[node])
                while true {
                    if let next = children[fallback][symbol] {
                        if fallback != 0 || !(endsInWord[node] && endsInWord[Int(next)]) { failure[Int(child)] = next }
                        break
                    }
                    if fallback == 0 { break }
                    fallback = Int(failure[fallback])
                }
            }
        }

        // 3. Lay out the blocks (offsets first, since transitions name their targets by offset), then
        //    fill them, with targets as state values. Blocks go in breadth-first order: the shallow
        //    states, where nearly every character of a message leads, sit together in few cache lines.
        let runs = deep.map { $0.count <= Self.maxScan ? $0 : Self.hashed($0) }
        var offsets = [Int32](repeating: 0, count: children.count)
        var total = 0
        for node in order {
            offsets[Int(node)] = Int32(total)
            total += Self.headerSize + runs[Int(node)].count
        }
        // Limits far beyond any rules file (a state would need 32,768 different next characters, or
        // 65,536 keywords ending at one place), checked rather than silently wrapped.
        precondition(total < Int(Int32.max >> 1) && runs.allSatisfy { $0.count <= 0xFFFF } && outputLists.allSatisfy { $0.count <= 0xFFFF },
                     "keyword automaton too large")
        func state(_ node: Int32) -> State { offsets[Int(node)] << 1 | (outputLists[Int(node)].isEmpty ? 0 : 1) }
        var rootNext = [State](repeating: 0, count: Int(alphabet.symbolCount) + 1)
        for (symbol, child) in children[0] { rootNext[Int(symbol)] = state(child) }
        var blocks: [Edge] = []
        blocks.reserveCapacity(total)
        var outputs: [Int32] = []
        for node in order.map({ Int($0) }) {
            blocks.append(Edge(symbol: UInt32(runs[node].count) | UInt32(outputLists[node].count) << 16, target: Int32(outputs.count)))
            for edge in runs[node] {
                blocks.append(edge.symbol == 0 ? edge : Edge(symbol: edge.symbol, target: state(edge.target)))
            }
            outputs += outputLists[node]
        }
        self.alphabet = alphabet
        self.blocks = blocks
        self.rootNext = rootNext
        self.outputs = outputs
        self.stateCount = children.count
        self.transitionCount = runs.reduce(0) { $0 + $1.count }
    }

    /// Entries before a state's transitions in its block.
    private static let headerSize = 1

    /// A state with at most this many deep transitions keeps them sorted and is scanned; one with more
    /// keeps them in a small hash table (a power of two of at least one and a half times as many slots).
    private static let maxScan = 12

    /// `run` as an open-addressing table: slot ``slot(_:capacity:)`` of its symbol, or the next free one
    /// (linear probing); free slots have symbol 0, which no transition uses.
    private static func hashed(_ run: [Edge]) -> [Edge] {
        var capacity = 16
        while capacity < run.count + run.count / 2 { capacity *= 2 }
        var table = [Edge](repeating: Edge(symbol: 0, target: 0), count: capacity)
        for edge in run {
            var slot = Self.slot(edge.symbol, capacity: capacity)
            while table[slot].symbol != 0 { slot = (slot + 1) & (capacity - 1) }
            table[slot] = edge
        }
        return table
    }

    /// Fibonacci hashing of a symbol into a table of `capacity` (a power of two) slots.
    @inline(__always)
    fileprivate static func slot(_ symbol: UInt32, capacity: Int) -> Int {
        Int((symbol &* 0x9E37_79B1) >> UInt32(32 - capacity.trailingZeroBitCount))
    }

    /// Two symbol-sorted runs merged; on the same symbol, `own` wins.
    private static func merge(inherited: [Edge], own: [Edge]) -> [Edge] {
        guard !inherited.isEmpty else { return own }
        var merged: [Edge] = []
        merged.reserveCapacity(inherited.count + own.count)
        var i = 0, j = 0
        while i < inherited.count || j < own.count {
            if j == own.count || (i < inherited.count && inherited[i].symbol < own[j].symbol) {
                merged.append(inherited[i])
                i += 1
            } else {
                if i < inherited.count && inherited[i].symbol == own[j].symbol { i += 1 }
                merged.append(own[j])
                j += 1
            }
        }
        return merged
    }

    /// The state after reading `symbol` in `state`.
    func next(_ state: State, _ symbol: UInt32) -> State {
        withView { $0.next(state, symbol) }
    }

    /// Calls `body` with the id of every pattern that ends in `state` (longest first).
    func forEachMatch(in state: State, _ body: (Int32) -> Void) {
        withView { $0.forEachMatch(in: state, body) }
    }

    /// The automaton's arrays as raw buffers, for the loop over a message's characters: no bounds checks
    /// and no reference counting per character. Valid only inside ``withView(_:)``.
    struct View {
        fileprivate let alphabet: Alphabet
        fileprivate let table: UnsafeBufferPointer<UInt16>
        fileprivate let blocks: UnsafeBufferPointer<Edge>
        fileprivate let rootNext: UnsafeBufferPointer<State>
        fileprivate let outputs: UnsafeBufferPointer<Int32>

        @inline(__always)
        func symbol(_ scalar: Unicode.Scalar) -> UInt32 {
            alphabet.symbol(scalar, table: table)
        }

        /// The state after reading `symbol` in `state`: the state's own deep transition if it has one
        /// for `symbol`, otherwise the root's.
        @inline(__always)
        func next(_ state: State, _ symbol: UInt32) -> State {
            if symbol == 0 { return 0 }
            let block = Int(state >> 1)
            let count = Int(blocks[block].symbol & 0xFFFF)
            var low = block + AhoCorasick.headerSize
            if count <= AhoCorasick.maxScan {
                let high = low + count
                while low < high {
                    let candidate = blocks[low].symbol
                    if candidate == symbol { return blocks[low].target }
                    if candidate > symbol { break }   // sorted: the symbol is not here
                    low += 1
                }
            } else {
                var slot = AhoCorasick.slot(symbol, capacity: count)
                while true {
                    let candidate = blocks[low + slot].symbol
                    if candidate == symbol { return blocks[low + slot].target }
                    if candidate == 0 { break }
                    slot = (slot + 1) & (count - 1)
                }
            }
            return rootNext[Int(symbol)]
        }

        /// Reads `text` from the start state and writes `index << 32 | state` to `ends` for every index
        /// after which the automaton is in a state where patterns end; returns how many it wrote. `ends`
        /// needs room for `text.count` entries: every step writes one, and only keeps it (moves on) when
        /// patterns end there, so the loop has no branch on it.
        func ends(in text: UnsafeBufferPointer<Unicode.Scalar>, into ends: UnsafeMutablePointer<UInt64>) -> Int {
            var state = AhoCorasick.start
            var count = 0
            for index in 0..<text.count {
                state = next(state, symbol(text[index]))
                ends[count] = UInt64(index) << 32 | UInt64(UInt32(bitPattern: state))
                count &+= Int(state & 1)
            }
            return count
        }

        /// Calls `body` with the id of every pattern that ends in `state` (longest first).
        @inline(__always)
        func forEachMatch(in state: State, _ body: (Int32) -> Void) {
            guard state & 1 != 0 else { return }
            let block = Int(state >> 1)
            let first = Int(blocks[block].target)
            for index in first..<first + Int(blocks[block].symbol >> 16) {
                body(outputs[index])
            }
        }
    }

    /// Calls `body` with a ``View`` of the automaton.
    func withView<Result>(_ body: (View) -> Result) -> Result {
        alphabet.withTable { table in
            blocks.withUnsafeBufferPointer { blocks in
                rootNext.withUnsafeBufferPointer { rootNext in
                    outputs.withUnsafeBufferPointer { outputs in
                        body(View(alphabet: alphabet, table: table, blocks: blocks, rootNext: rootNext, outputs: outputs))
                    }
                }
            }
        }
    }
}
