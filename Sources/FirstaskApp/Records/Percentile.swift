import Foundation

/// Percentiles the way spreadsheets compute them (linear interpolation between closest ranks, as
/// `PERCENTILE.INC` and numpy's default do), so a supervisor can check a figure by hand.
public enum Percentile {
    /// The `p`-th percentile (0…1) of `values`, or `nil` when there are none.
    public static func of(_ values: [Double], _ p: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = min(max(p, 0), 1) * Double(sorted.count - 1)
        let lower = Int(rank.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (rank - Double(lower))
    }

    public static func median(_ values: [Double]) -> Double? { of(values, 0.5) }
}
