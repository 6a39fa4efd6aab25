import Foundation
import Synchronization

/// Makes outbox ids, which are also the idempotency keys sent to providers.
///
/// Ids are unique across restarts and machines (a random per-process prefix) and increase within a
/// process (milliseconds, then a counter), so new outbox rows land at the end of the primary-key index
/// instead of at random places in it, which keeps inserts and updates cheap as the outbox grows.
public final class OutboxIDGenerator: Sendable {
    private let prefix: String
    private let counter = Atomic<UInt64>(0)

    public init() {
        prefix = String(UInt32.random(in: .min ... .max), radix: 36)
    }

    /// `<time ms, base 36, 9 digits>-<counter>-<process prefix>`, e.g. `mhz3k1c0w-42-1kz9x0`.
    public func next(now: Date = Date()) -> String {
        let millis = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        let sequence = counter.wrappingAdd(1, ordering: .relaxed).newValue
        let time = String(millis, radix: 36)
        return String(repeating: "0", count: max(0, 9 - time.count)) + time + "-" + String(sequence, radix: 36) + "-" + prefix
    }
}
