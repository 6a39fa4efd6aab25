import Foundation

/// Counts failed sign-ins per account name and per address over a sliding window and refuses further tries
/// once either reaches its limit, until the oldest failure leaves the window. Pure: the caller keeps it
/// behind a lock and passes the time.
struct LoginThrottle: Sendable {
    var window: TimeInterval = 15 * 60
    /// Failures of one account name (from any address) before it is refused.
    var perAccount = 5
    /// Failures from one address (for any names) before it is refused.
    var perAddress = 20
    private var failures: [String: [Date]] = [:]

    init(window: TimeInterval = 15 * 60, perAccount: Int = 5, perAddress: Int = 20) {
        self.window = window
        self.perAccount = perAccount
        self.perAddress = perAddress
    }

    /// Whether a sign-in as `account` from `address` may be tried at `now`.
    func allows(account: String, address: String, now: Date) -> Bool {
        let cutoff = now.addingTimeInterval(-window)
        func recent(_ key: String) -> Int { failures[key]?.filter { $0 > cutoff }.count ?? 0 }
        return recent("u:\(account)") < perAccount && recent("a:\(address)") < perAddress
    }

    mutating func failed(account: String, address: String, now: Date) {
        prune(now)
        failures["u:\(account)", default: []].append(now)
        failures["a:\(address)", default: []].append(now)
    }

    /// A successful sign-in clears the account's failures (not the address's).
    mutating func succeeded(account: String) {
        failures["u:\(account)"] = nil
    }

    private mutating func prune(_ now: Date) {
        let cutoff = now.addingTimeInterval(-window)
        failures = failures.compactMapValues { dates in
            let kept = dates.filter { $0 > cutoff }
            return kept.isEmpty ? nil : kept
        }
    }
}
