import Foundation

/// A linear model over the character 1–3-grams of a normalised message: the learned component that speaks
/// only where the rules are silent, on the severity of a message no severity rule fired on.
///
/// Features: every 1-, 2- and 3-gram of the normalised scalars (``TextNormalizer``, so traditional and
/// simplified, full- and half-width, upper and lower case share grams) that is in the vocabulary. Each
/// occurrence adds its gram's idf; the sum is divided by the square root of the sum of the squared idfs of
/// the occurrences (an L2 norm that needs no grouping of repeated grams). One softmax head over the
/// severities; its probabilities decide against the thresholds stored with the model.
///
/// It does not choose categories: the desk reads "no category" as "no new topic" (an address answering the
/// location question, a follow-up), and a guessed topic would open tickets for those.
///
/// The evidence of a decision is the grams that pushed hardest towards it, shown like a rule's words
/// (``Classification/spans``). `firstask rules train` fits it (``NgramTrainer``) from the labelled corpus
/// and staff corrections and writes `prompts/ngram-model.tsv`; ``parse(_:)`` reads that file.
public struct NgramModel: Sendable {
    /// One softmax head: its classes (label names), a bias per class and a weight per (gram, class).
    public struct Head: Sendable, Equatable {
        public var classes: [String]
        public var bias: [Float]
        /// `weights[gram * classes.count + class]`.
        public var weights: [Float]
    }

    /// The grams, by feature index.
    public private(set) var grams: [String]
    public private(set) var idf: [Float]
    public var severity: Head
    /// Above this probability of `emergency` a message no severity rule fired on is an emergency.
    public var emergencyThreshold: Float
    /// Above this probability of `major` or `emergency` (and not an emergency) it is major.
    public var majorThreshold: Float

    private var table: GramTable

    public init(grams: [String], idf: [Float], severity: Head, emergencyThreshold: Float = 0.4, majorThreshold: Float = 0.5) {
        self.grams = grams
        self.idf = idf
        self.severity = severity
        self.emergencyThreshold = emergencyThreshold
        self.majorThreshold = majorThreshold
        table = GramTable(keys: grams.map { Self.key(Array($0.unicodeScalars)) })
    }

    /// FNV-1a 64 of the model file, recorded in the rules version when the model is in force.
    public var version: String = ""

    // MARK: Features

    /// A gram of up to three scalars packed into one key: 21 bits a scalar, a missing one is 0 (no text
    /// scalar is NUL), so keys of different lengths never collide.
    @inline(__always)
    static func key(_ a: Unicode.Scalar, _ b: Unicode.Scalar?, _ c: Unicode.Scalar?) -> UInt64 {
        UInt64(a.value) << 42 | UInt64(b?.value ?? 0) << 21 | UInt64(c?.value ?? 0)
    }

    static func key(_ scalars: [Unicode.Scalar]) -> UInt64 {
        key(scalars[0], scalars.count > 1 ? scalars[1] : nil, scalars.count > 2 ? scalars[2] : nil)
    }

    /// Whether a gram may not start at `scalar`: Unicode whitespace, with the ASCII answer found without the
    /// property tables (this runs for every character of nearly every message).
    @inline(__always)
    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 { return value == 0x20 || (0x09...0x0D).contains(value) }
        return scalar.properties.isWhitespace
    }

    /// One occurrence of a known gram: its feature index and where it starts and ends (normalised offsets).
    struct Occurrence: Sendable {
        var feature: Int32
        var start: Int32
        var end: Int32
    }

    /// The known grams of `scalars`, in order of their start, shorter first.
    ///
    /// A longer gram is looked up only when the shorter one it starts with is a gram or the start of one (the
    /// table marks those prefixes), so most positions cost one or two probes rather than three.
    func occurrences(_ scalars: [Unicode.Scalar], into found: inout [Occurrence]) {
        found.removeAll(keepingCapacity: true)
        let count = scalars.count
        scalars.withUnsafeBufferPointer { scalars in
            for index in 0..<count {
                let a = scalars[index]
                if Self.isSpace(a) { continue }
                var key = UInt64(a.value) << 42
                for length in 1...3 {
                    if length > 1 {
                        guard index + length <= count else { break }
                        key |= UInt64(scalars[index + length - 1].value) << (length == 2 ? 21 : 0)
                    }
                    let entry = table.find(key)
                    if entry >= 0 {
                        found.append(Occurrence(feature: entry, start: Int32(index), end: Int32(index + length)))
                    } else if entry == GramTable.absent {
                        break
                    }
                }
            }
        }
    }

    /// The feature vector as (feature, value) pairs, one per occurrence: idf over the occurrences' L2 norm.
    func features(_ occurrences: [Occurrence]) -> (scale: Float, idf: [Float]) {
        var squares: Float = 0
        for occurrence in occurrences { squares += idf[Int(occurrence.feature)] * idf[Int(occurrence.feature)] }
        return (squares > 0 ? 1 / squares.squareRoot() : 0, idf)
    }

    /// The probabilities of `head`'s classes for these occurrences.
    func probabilities(_ head: Head, _ occurrences: [Occurrence]) -> [Float] {
        var scores: [Float] = []
        probabilities(head, occurrences, into: &scores)
        return scores
    }

    /// ``probabilities(_:_:)`` written into `scores` (its buffer reused from one message to the next).
    func probabilities(_ head: Head, _ occurrences: [Occurrence], into scores: inout [Float]) {
        let width = head.classes.count
        scores.removeAll(keepingCapacity: true)
        scores.append(contentsOf: head.bias)
        var squares: Float = 0
        idf.withUnsafeBufferPointer { idf in
            for occurrence in occurrences { squares += idf[Int(occurrence.feature)] * idf[Int(occurrence.feature)] }
        }
        let scale: Float = squares > 0 ? 1 / squares.squareRoot() : 0
        scores.withUnsafeMutableBufferPointer { scores in
            head.weights.withUnsafeBufferPointer { weights in
                idf.withUnsafeBufferPointer { idf in
                    for occurrence in occurrences {
                        let feature = Int(occurrence.feature)
                        let value = idf[feature] * scale
                        let row = feature * width
                        for index in 0..<width { scores[index] += value * weights[row + index] }
                    }
                }
            }
            Self.softmax(scores)
        }
    }

    /// Turns scores into probabilities in place.
    static func softmax(_ scores: UnsafeMutableBufferPointer<Float>) {
        var top = -Float.infinity
        for score in scores { top = max(top, score) }
        var sum: Float = 0
        for index in scores.indices {
            scores[index] = Foundation.exp(scores[index] - top)
            sum += scores[index]
        }
        for index in scores.indices { scores[index] /= sum }
    }

    /// The occurrences that pushed hardest towards `label` of `head` (at most `limit`, strongest first,
    /// each gram once, only those that pushed towards it).
    func evidence(_ head: Head, label: Int, _ occurrences: [Occurrence], limit: Int = 3) -> [Occurrence] {
        let width = head.classes.count
        var best: [Int32: (Occurrence, Float)] = [:]
        for occurrence in occurrences {
            let row = Int(occurrence.feature) * width
            var others: Float = 0
            for index in 0..<width where index != label { others = max(others, head.weights[row + index]) }
            let push = idf[Int(occurrence.feature)] * (head.weights[row + label] - others)
            guard push > 0 else { continue }
            if let seen = best[occurrence.feature], seen.1 >= push { continue }
            if best[occurrence.feature] == nil { best[occurrence.feature] = (occurrence, push) }
        }
        let chosen = best.values.sorted { $0.1 > $1.1 }.prefix(limit).map(\.0)
        // Overlapping grams (汽 and 汽味) would show the same words twice: keep the longer one.
        return chosen.filter { gram in
            !chosen.contains { $0.start <= gram.start && $0.end >= gram.end && ($0.end - $0.start) > (gram.end - gram.start) }
        }
    }
}

/// An open-addressing table from packed gram keys to feature indices (keys are never 0), which also marks the
/// keys that only begin a longer gram. Key and value share a slot, so a probe touches one cache line.
struct GramTable: Sendable {
    /// `find`'s answer for a key that is neither a gram nor the start of one.
    static let absent: Int32 = -2
    /// `find`'s answer for a key that is not a gram but begins one.
    static let prefixOnly: Int32 = -1

    private struct Slot: Sendable {
        var key: UInt64
        var value: Int32
    }

    private var slots: [Slot]
    private let mask: Int

    init(keys list: [UInt64]) {
        // Every gram's shorter beginnings (a of ab, a and ab of abc) are marked unless they are grams themselves.
        var prefixes = Set<UInt64>()
        for key in list {
            if key & 0x1F_FFFF != 0 { prefixes.insert(key & ~0x1F_FFFF) }   // abc → ab
            if (key >> 21) & 0x1F_FFFF != 0 { prefixes.insert(key & ~0x3FF_FFFF_FFFF) }   // ab(c) → a
        }
        prefixes.subtract(list)
        var capacity = 16
        while capacity < (list.count + prefixes.count) * 2 { capacity <<= 1 }
        var slots = Array(repeating: Slot(key: 0, value: Self.absent), count: capacity)
        let mask = capacity - 1
        func insert(_ key: UInt64, _ value: Int32) {
            var slot = Self.hash(key) & mask
            while slots[slot].key != 0 && slots[slot].key != key { slot = (slot + 1) & mask }
            slots[slot] = Slot(key: key, value: value)
        }
        for (index, key) in list.enumerated() { insert(key, Int32(index)) }
        for key in prefixes { insert(key, Self.prefixOnly) }
        self.slots = slots
        self.mask = mask
    }

    /// A full 64-bit mix (the MurmurHash3 finaliser): a key's low bits are zero for unigrams and bigrams, so a
    /// plain multiplication would send them all to a few slots.
    @inline(__always)
    static func hash(_ key: UInt64) -> Int {
        var mixed = key ^ (key >> 33)
        mixed = mixed &* 0xFF51_AFD7_ED55_8CCD
        mixed ^= mixed >> 33
        mixed = mixed &* 0xC4CE_B9FE_1A85_EC53
        mixed ^= mixed >> 33
        return Int(truncatingIfNeeded: mixed)
    }

    /// The feature index of `key`, ``prefixOnly`` or ``absent``.
    @inline(__always)
    func find(_ key: UInt64) -> Int32 {
        slots.withUnsafeBufferPointer { slots in
            var slot = Self.hash(key) & mask
            while true {
                let stored = slots[slot]
                if stored.key == key { return stored.value }
                if stored.key == 0 { return Self.absent }
                slot = (slot + 1) & mask
            }
        }
    }
}
