import Foundation

/// Draws the routine callback sample: each ref gets a pseudo-random key from the seed and the ref alone
/// (FNV-1a, then SplitMix64's finaliser), and the lowest keys win. The same seed and refs always give the
/// same sample, whatever order the tickets come in, and a ticket added later does not reshuffle the others.
public enum CallbackSampler {
    /// The refs drawn: `ceil(share × refs.count)` of them (none when `share` ≤ 0, all when ≥ 1).
    public static func draw(_ refs: [String], share: Double, seed: UInt64) -> Set<String> {
        guard share > 0, !refs.isEmpty else { return [] }
        let unique = Array(Set(refs))
        let count = min(unique.count, Int((share * Double(unique.count)).rounded(.up)))
        return Set(unique.map { (key: key($0, seed: seed), ref: $0) }.sorted { ($0.key, $0.ref) < ($1.key, $1.ref) }
            .prefix(count).map(\.ref))
    }

    static func key(_ ref: String, seed: UInt64) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in ref.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        var mixed = hash ^ (seed &* 0x9e37_79b9_7f4a_7c15)
        mixed = (mixed ^ (mixed >> 30)) &* 0xbf58_476d_1ce4_e5b9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94d0_49bb_1331_11eb
        return mixed ^ (mixed >> 31)
    }
}
