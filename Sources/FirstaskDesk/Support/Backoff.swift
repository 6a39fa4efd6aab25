import Foundation

/// Exponential backoff with full jitter: attempt `n` waits a random time up to `base * 2^(n-1)`,
/// capped at `cap`, and never less than `floor`.
public struct Backoff: Sendable, Equatable {
    public var base: Double
    public var cap: Double
    public var floor: Double

    public init(base: Double = 1, cap: Double = 300, floor: Double = 0.05) {
        self.base = base
        self.cap = cap
        self.floor = floor
    }

    /// The longest delay for the `attempt`-th retry (1-based), before jitter.
    public func ceiling(attempt: Int) -> Double {
        let exponent = Double(max(0, min(attempt - 1, 30)))
        return min(cap, base * pow(2, exponent))
    }

    /// A delay in seconds for the `attempt`-th retry; `unit` in [0, 1) supplies the jitter.
    public func delay(attempt: Int, unit: Double) -> Double {
        max(floor, ceiling(attempt: attempt) * min(max(unit, 0), 1))
    }
}
