import Foundation

/// Whether the gateway can do its work, and why not: the body of `/readyz`.
///
/// Ready means the store answers with the current schema, prompts are loaded and every polled channel's
/// last poll succeeded. Sends are reported (last success and failure, their ages) but do not make the
/// gateway unready: a failing send is retried and then alerted as a dead letter (`alerts.yml`).
public struct Readiness: Sendable, Encodable, Equatable {
    public struct Check: Sendable, Encodable, Equatable {
        public var ok: Bool
        /// What is wrong, when not ok.
        public var reason: String?
    }

    public struct ChannelCheck: Sendable, Encodable, Equatable {
        public var ok: Bool
        public var polled: Bool
        public var reason: String?
        public var lastPollSuccessAgeSeconds: Double?
        public var lastPollFailureAgeSeconds: Double?
        public var lastSendSuccessAgeSeconds: Double?
        public var lastSendFailureAgeSeconds: Double?

        enum CodingKeys: String, CodingKey {
            case ok, polled, reason
            case lastPollSuccessAgeSeconds = "last_poll_success_age_s"
            case lastPollFailureAgeSeconds = "last_poll_failure_age_s"
            case lastSendSuccessAgeSeconds = "last_send_success_age_s"
            case lastSendFailureAgeSeconds = "last_send_failure_age_s"
        }
    }

    public var ready: Bool
    /// The first problem found, for a one-line answer; `nil` when ready.
    public var reason: String?
    public var store: Check
    public var prompts: Check
    public var rulesVersion: String?
    public var channels: [String: ChannelCheck]

    enum CodingKeys: String, CodingKey {
        case ready, reason, store, prompts, channels
        case rulesVersion = "rules_version"
    }

    /// Judges readiness from what was found; pure, so tests give it any state.
    /// `storeError`: why the store check failed, or `nil` when it passed.
    public static func evaluate(
        storeError: String?, rulesVersion: String?, channels: [String: ChannelHealth.State], now: Date
    ) -> Readiness {
        func age(_ date: Date?) -> Double? { date.map { (max(0, now.timeIntervalSince($0)) * 1000).rounded() / 1000 } }
        var checks: [String: ChannelCheck] = [:]
        for (id, state) in channels {
            var reason: String?
            if state.polled, !state.pollHealthy {
                reason = state.lastPollSuccess == nil && state.lastPollFailure == nil ? "not polled yet"
                    : state.lastPollSuccess == nil ? "no poll has succeeded yet" : "the last poll failed"
            }
            checks[id] = ChannelCheck(
                ok: reason == nil, polled: state.polled, reason: reason,
                lastPollSuccessAgeSeconds: age(state.lastPollSuccess), lastPollFailureAgeSeconds: age(state.lastPollFailure),
                lastSendSuccessAgeSeconds: age(state.lastSendSuccess), lastSendFailureAgeSeconds: age(state.lastSendFailure))
        }
        let store = Check(ok: storeError == nil, reason: storeError)
        let prompts = Check(ok: rulesVersion != nil, reason: rulesVersion == nil ? "no prompts loaded" : nil)
        var problems: [String] = []
        if let storeError { problems.append("store: \(storeError)") }
        if let reason = prompts.reason { problems.append("prompts: \(reason)") }
        for (id, check) in checks.sorted(by: { $0.key < $1.key }) {
            if let reason = check.reason { problems.append("channel \(id): \(reason)") }
        }
        return Readiness(ready: problems.isEmpty, reason: problems.isEmpty ? nil : problems.joined(separator: "; "),
                         store: store, prompts: prompts, rulesVersion: rulesVersion, channels: checks)
    }
}
