import Foundation

/// A token bucket: `rate` tokens a second flow in, up to `capacity`; each send takes one. Pure: time comes
/// from the caller.
public struct TokenBucket: Sendable, Equatable {
    public let rate: Double
    public let capacity: Double
    public private(set) var tokens: Double
    public private(set) var updated: Date

    /// Starts full, so a quiet channel can send a burst at once.
    public init(rate: Double, capacity: Double, now: Date) {
        self.rate = rate
        self.capacity = max(1, capacity)
        tokens = max(1, capacity)
        updated = now
    }

    private mutating func refill(now: Date) {
        let elapsed = now.timeIntervalSince(updated)
        if elapsed > 0 { tokens = min(capacity, tokens + elapsed * rate) }
        updated = max(updated, now)
    }

    /// Takes up to `wanted` whole tokens and returns how many it took.
    public mutating func take(upTo wanted: Int, now: Date) -> Int {
        refill(now: now)
        let granted = max(0, min(wanted, Int(tokens.rounded(.down))))
        tokens -= Double(granted)
        return granted
    }

    /// When the next whole token is there (`now` if one is).
    public func nextToken(now: Date) -> Date {
        var copy = self
        copy.refill(now: now)
        guard copy.tokens < 1 else { return now }
        return now.addingTimeInterval((1 - copy.tokens) / rate)
    }
}
