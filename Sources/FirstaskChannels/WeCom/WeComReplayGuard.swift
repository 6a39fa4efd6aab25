import Foundation
import Synchronization

/// The callback settings of a `wecom-kf` channel: the `Token` and `EncodingAESKey` set on the app's
/// "接收消息" page in the WeCom admin console.
public struct WeComCallbackSettings: Sendable, Equatable {
    public var token: String
    public var encodingAESKey: String
    /// How far a callback's `timestamp` may be from our clock, in seconds, either way.
    public var replayWindow: Double

    public init(token: String, encodingAESKey: String, replayWindow: Double = 300) {
        self.token = token
        self.encodingAESKey = encodingAESKey
        self.replayWindow = replayWindow
    }
}

/// Refuses replayed callbacks: a `timestamp` outside the window either way, or a (`timestamp`, `nonce`) pair
/// already accepted inside it. Pairs are forgotten once their timestamp has left the window, when a replay
/// would be refused for its timestamp anyway, so the memory stays bounded by the callback rate.
///
/// Checked only after the signature holds, so forged calls cannot fill the memory.
public final class WeComReplayGuard: Sendable {
    public let window: Double
    private let seen = Mutex<[String: Double]>([:])

    public init(window: Double) { self.window = window }

    /// `nil` and remembered when the callback is fresh; else the reason it is refused.
    public func admit(timestamp: String, nonce: String, now: Date) -> String? {
        guard let seconds = Double(timestamp), seconds.isFinite else { return "timestamp is not a number of seconds" }
        let skew = now.timeIntervalSince1970 - seconds
        guard abs(skew) <= window else {
            return "timestamp is \(Int(skew)) s from our clock, outside the \(Int(window)) s window (replayed or clock skew)"
        }
        let key = "\(timestamp)\u{0}\(nonce)"
        return seen.withLock { seen -> String? in
            let horizon = now.timeIntervalSince1970 - window
            seen = seen.filter { $0.value >= horizon }
            if seen[key] != nil { return "timestamp and nonce were already accepted (replayed callback)" }
            seen[key] = seconds
            return nil
        }
    }
}

/// The pull `Token` of the latest `kf_msg_or_event` callback: sent with `kf/sync_msg` while it is valid
/// (WeCom: 10 minutes), which lifts the stricter rate limit of token-less pulls.
public final class WeComPullToken: Sendable {
    /// WeCom's 10 minutes, less a margin for the pull's own time.
    public static let lifetime: Double = 9 * 60
    private let value = Mutex<(token: String, at: Date)?>(nil)

    public init() {}

    public func received(_ token: String, at: Date) { value.withLock { $0 = (token, at) } }

    /// The token if it is still valid at `now`.
    public func current(now: Date) -> String? {
        value.withLock { value in
            guard let value, now.timeIntervalSince(value.at) < Self.lifetime else { return nil }
            return value.token
        }
    }
}
