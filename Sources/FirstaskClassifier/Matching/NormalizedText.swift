/// A message after ``TextNormalizer``: the scalars rules are matched against, and for each of them the
/// place in the original message it came from.
///
/// Normalisation maps each original scalar to one scalar or drops it (emoji, zero-width characters), so
/// normalised offsets and original offsets drift apart; ``originalRange(_:)`` maps a normalised range
/// back, which is how matched spans are reported in the text the resident wrote.
struct NormalizedText: Sendable {
    /// Where one normalised scalar came from in the original text.
    struct Origin: Sendable, Equatable {
        /// Offset in Unicode scalars.
        var scalar: Int32
        /// Offset of its first UTF-8 byte, and of the byte after its last one.
        var utf8Start: Int32
        var utf8End: Int32
    }

    /// The normalised scalars.
    private(set) var scalars: [Unicode.Scalar] = []
    /// `origins[i]` is where `scalars[i]` came from.
    private(set) var origins: [Origin] = []
    /// Length of the original text in Unicode scalars.
    private(set) var originalScalarCount: Int32 = 0

    init() {}

    var count: Int { scalars.count }

    mutating func removeAll() {
        scalars.removeAll(keepingCapacity: true)
        origins.removeAll(keepingCapacity: true)
        originalScalarCount = 0
    }

    mutating func reserve(_ capacity: Int) {
        scalars.reserveCapacity(capacity)
        origins.reserveCapacity(capacity)
    }

    /// Appends a normalised scalar that came from the original scalar at `scalarOffset`, whose UTF-8
    /// bytes are `utf8Start..<utf8End` (the original's width, not the normalised one's: Ｆ is 3 bytes, f is 1).
    @inline(__always)
    mutating func append(_ scalar: Unicode.Scalar, scalarOffset: Int32, utf8Start: Int32, utf8End: Int32) {
        scalars.append(scalar)
        origins.append(Origin(scalar: scalarOffset, utf8Start: utf8Start, utf8End: utf8End))
    }

    /// Empties the text and lets `body` write up to `capacity` scalars, and their origins, straight into
    /// the buffers (no per-scalar append with its uniqueness and capacity checks); `body` returns how many
    /// it wrote.
    @inline(__always)
    mutating func write(
        capacity: Int,
        _ body: (UnsafeMutableBufferPointer<Unicode.Scalar>, UnsafeMutableBufferPointer<Origin>) -> Int
    ) {
        // Resize rather than empty and refill: the buffers usually hold the previous message, about as
        // long, whose stale contents `body` overwrites; only the difference is filled.
        Self.resize(&scalars, to: capacity, filler: "\0")
        Self.resize(&origins, to: capacity, filler: Origin(scalar: 0, utf8Start: 0, utf8End: 0))
        let written = scalars.withUnsafeMutableBufferPointer { scalars in
            origins.withUnsafeMutableBufferPointer { origins in body(scalars, origins) }
        }
        scalars.removeLast(capacity - written)
        origins.removeLast(capacity - written)
    }

    @inline(__always)
    private static func resize<Element>(_ array: inout [Element], to count: Int, filler: Element) {
        if array.count < count {
            array.append(contentsOf: repeatElement(filler, count: count - array.count))
        } else if array.count > count {
            array.removeLast(array.count - count)
        }
    }

    mutating func finish(scalarCount: Int32) {
        originalScalarCount = scalarCount
    }

    /// The original range, in Unicode scalars and in UTF-8 bytes, of the normalised range `start..<end`
    /// (which must be non-empty and inside the text). Characters dropped inside the range are included;
    /// characters dropped just before or after it are not.
    func originalRange(start: Int, end: Int) -> (scalars: Range<Int>, utf8: Range<Int>) {
        let first = origins[start], last = origins[end - 1]
        // The normalised form of a scalar is one scalar, so the original span ends one scalar after `last`.
        return (Int(first.scalar)..<Int(last.scalar) + 1, Int(first.utf8Start)..<Int(last.utf8End))
    }
}
