import Foundation
import Synchronization

/// WeCom customer service's reply window (微信客服): a kf account may send a customer at most 5 messages within
/// 48 hours after the customer's last message; the quota renews when the customer writes again. Pure rules;
/// `WeComReplyWindow` keeps the state per customer.
public struct WeComWindowPolicy: Sendable, Equatable {
    public var hours: Double = 48
    public var messages: Int = 5
    public init() {}

    /// `nil` when a send is allowed, else why not. A customer never seen (e.g. after a restart) is allowed:
    /// WeCom itself then decides.
    public func refusal(lastCustomerMessage: Date?, sentSince: Int, now: Date) -> String? {
        guard let last = lastCustomerMessage else { return nil }
        if now.timeIntervalSince(last) > hours * 3600 {
            return "outside WeCom's \(Int(hours))-hour reply window (the customer last wrote \(Int(now.timeIntervalSince(last) / 3600)) hours ago)"
        }
        if sentSince >= messages { return "WeCom allows \(messages) messages per customer message; all used" }
        return nil
    }
}

/// The reply-window state of one kf account, per customer (in memory: after a restart WeCom's own check applies).
public final class WeComReplyWindow: Sendable {
    private let state = Mutex<[String: (last: Date, sent: Int)]>([:])
    let policy: WeComWindowPolicy

    public init(policy: WeComWindowPolicy = WeComWindowPolicy()) { self.policy = policy }

    /// The customer wrote at `at`: the window and the quota start again (older news changes nothing).
    public func customerWrote(_ customer: String, at: Date) {
        state.withLock { state in
            if let known = state[customer], known.last >= at { return }
            state[customer] = (at, 0)
        }
    }

    /// Takes one send from the quota, or returns why it may not be sent.
    public func reserve(_ customer: String, now: Date) -> String? {
        state.withLock { state in
            let known = state[customer]
            if let refusal = policy.refusal(lastCustomerMessage: known?.last, sentSince: known?.sent ?? 0, now: now) { return refusal }
            if let known { state[customer] = (known.last, known.sent + 1) }
            return nil
        }
    }

    /// Gives back a send that did not happen.
    public func release(_ customer: String) {
        state.withLock { state in
            if let known = state[customer], known.sent > 0 { state[customer] = (known.last, known.sent - 1) }
        }
    }
}
