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
/// Storage is flat, for speed and for cache footprint. Reading a character costs one dependent memory
/// read and no branch on the data, as the loop over a message is bound by memory latency, not arithmetic:
/// - scalars are remapped to a dense alphabet of the scalars that occur in patterns (``Alphabet``);
///   any other scalar is symbol 0 and sends the automaton straight back to the root;
/// - the root has a dense transition array over the whole alphabet (the default for every state);
/// - the other states' *deep* transitions — those that differ from the root's — live in one
///   **double array** (Aoe's packing of a sparse table): each state has its own base offset, its
///   transition on symbol `c` is the cell at `base + c`, and the cell names the state it belongs to
///   (`check`), so a cell holding another state's transition reads as "not mine: use the root's".
///   Bases are chosen when the automaton is built so that no two states' cells collide;
/// - a state value is its base, shifted left by one, with the lowest bit set when a pattern ends there,
///   so the matcher learns that without another read. The cell at `base` itself (symbol 0, which no
///   transition uses) lists the patterns ending in the state (its failure chain included): one
///   contiguous run, longest first.
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

    /// A deep transition while the automaton is built: the symbol read and the trie node it leads to.
    fileprivate struct Edge: Sendable {
        var symbol: UInt32
        var target: Int32
    }

    /// One cell of the double array. As the transition of state `check` on symbol `cell - base(check)`:
    /// `next` is the state it leads to. As a state's own cell (at its base): `check` is
    /// `-1 - (patterns ending there)`, which no state value equals, and `next` is where they are
    /// listed in ``outputs``. Free cells have `check` -1.
    fileprivate struct Cell: Sendable {
        var check: State
        var next: State
    }

    /// A state value: the state's base in ``cells``, shifted left by one, with bit 0 set when patterns
    /// end there. The root is 0: its transitions are ``rootNext``, and no cell names it.
    typealias State = Int32

    private(set) var alphabet: Alphabet
    /// The double array of deep transitions and per-state output runs.
    private var cells: [Cell]
    /// Root transitions (the default of every state), indexed by symbol: a state value.
    private var rootNext: [State]
    private var outputs: [Int32]
    /// Number of trie nodes (for diagnostics and tests).
    let stateCount: Int
    /// Number of stored (deep) transitions (for diagnostics and tests).
    let transitionCount: Int
    /// Size of the double array: states, transitions and the free cells between them.
    var cellCount: Int { cells.count }

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

        // 3. Pack the states into the double array, breadth-first (the shallow states, where nearly every
        //    character of a message leads, end up together near the start), each at the first base whose
        //    own cell and transition cells are all free; then fill the cells, targets as state values.
        var bases = [Int](repeating: 0, count: children.count)
        var taken: [Bool] = [true]   // cell 0 is the root's (it has no cells of its own)
        var firstFree = 1
        for node in order.dropFirst().map({ Int($0) }) {
            while firstFree < taken.count && taken[firstFree] { firstFree += 1 }
            var base = firstFree
            while !Self.fits(deep[node], at: base, in: taken) { base += 1 }
            let last = base + Int(deep[node].last?.symbol ?? 0)
            if last >= taken.count { taken.append(contentsOf: repeatElement(false, count: last + 1 - taken.count)) }
            taken[base] = true
            for edge in deep[node] { taken[base + Int(edge.symbol)] = true }
            bases[node] = base
        }
        // Every state may read every symbol: room after the highest base for the whole alphabet.
        let size = (bases.max() ?? 0) + Int(alphabet.symbolCount) + 1
        // Limits far beyond any rules file, checked rather than silently wrapped.
        precondition(size < Int(Int32.max >> 1) && outputLists.allSatisfy { $0.count < Int(Int32.max) }, "keyword automaton too large")
        func state(_ node: Int32) -> State { State(bases[Int(node)] << 1) | (outputLists[Int(node)].isEmpty ? 0 : 1) }
        var cells = [Cell](repeating: Cell(check: -1, next: 0), count: size)
        var outputs: [Int32] = []
        for node in order.dropFirst().map({ Int($0) }) {
            let base = bases[node]
            cells[base] = Cell(check: -1 - State(outputLists[node].count), next: State(outputs.count))
            outputs += outputLists[node]
            let owner = state(Int32(node))
            for edge in deep[node] { cells[base + Int(edge.symbol)] = Cell(check: owner, next: state(edge.target)) }
        }
        var rootNext = [State](repeating: 0, count: Int(alphabet.symbolCount) + 1)
        for (symbol, child) in children[0] { rootNext[Int(symbol)] = state(child) }
        self.alphabet = alphabet
        self.cells = cells
        self.rootNext = rootNext
        self.outputs = outputs
        self.stateCount = children.count
        self.transitionCount = deep.reduce(0) { $0 + $1.count }
    }

    /// Whether a state with transitions `edges` (sorted by symbol) can have its base at `base`: its own
    /// cell and the cells of its transitions are free (cells past the end of `taken` are).
    private static func fits(_ edges: [Edge], at base: Int, in taken: [Bool]) -> Bool {
        if base < taken.count && taken[base] { return false }
        for edge in edges {
            let cell = base + Int(edge.symbol)
            if cell < taken.count && taken[cell] { return false }
        }
        return true
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
        fileprivate let cells: UnsafeBufferPointer<Cell>
        fileprivate let rootNext: UnsafeBufferPointer<State>
        fileprivate let outputs: UnsafeBufferPointer<Int32>

        @inline(__always)
        func symbol(_ scalar: Unicode.Scalar) -> UInt32 {
            alphabet.symbol(scalar, table: table)
        }

        /// The state after reading `symbol` in `state`: the state's own deep transition if the cell at
        /// its base plus `symbol` is one of its own, otherwise the root's. (For the root, state 0, no
        /// cell is its own; for symbol 0 the cell is the state's output cell, never a transition.)
        @inline(__always)
        func next(_ state: State, _ symbol: UInt32) -> State {
            // The cell read as one 64-bit word (check in the low half, next in the high half on this
            // little-endian layout): the compiler then picks between two values already in registers,
            // rather than between two addresses with a second read after the choice.
            let bits = UnsafeRawPointer(cells.baseAddress!).load(fromByteOffset: (Int(state >> 1) &+ Int(symbol)) &* 8, as: UInt64.self)
            let fallback = rootNext[Int(symbol)]
            return State(truncatingIfNeeded: bits) == state ? State(truncatingIfNeeded: bits >> 32) : fallback
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
            let own = cells[Int(state >> 1)]
            let first = Int(own.next)
            for index in first..<first + Int(-1 - own.check) {
                body(outputs[index])
            }
        }
    }

    /// Calls `body` with a ``View`` of the automaton.
    func withView<Result>(_ body: (View) -> Result) -> Result {
        alphabet.withTable { table in
            cells.withUnsafeBufferPointer { cells in
                rootNext.withUnsafeBufferPointer { rootNext in
                    outputs.withUnsafeBufferPointer { outputs in
                        body(View(alphabet: alphabet, table: table, cells: cells, rootNext: rootNext, outputs: outputs))
                    }
                }
            }
        }
    }
}
