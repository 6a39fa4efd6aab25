import Foundation
import Synchronization

/// The last outcomes of each channel's polls and sends, as the poller and the dispatcher report them;
/// `/readyz` and the poll-age gauge read it.
public final class ChannelHealth: Sendable {
    public struct State: Sendable, Equatable {
        /// Whether the gateway polls this channel (webhook channels are never polled).
        public var polled = false
        public var lastPollSuccess: Date?
        public var lastPollFailure: Date?
        public var lastSendSuccess: Date?
        public var lastSendFailure: Date?

        public init(polled: Bool = false) { self.polled = polled }

        /// A polled channel is healthy once a poll has succeeded and no poll has failed since.
        public var pollHealthy: Bool {
            guard let success = lastPollSuccess else { return false }
            return lastPollFailure.map { $0 <= success } ?? true
        }
    }

    private let states: Mutex<[String: State]>

    /// `polled`: the ids of the channels the gateway polls; `others`: the rest (webhooks, send only).
    public init(polled: [String], others: [String]) {
        var states: [String: State] = [:]
        for id in others { states[id] = State() }
        for id in polled { states[id] = State(polled: true) }
        self.states = Mutex(states)
    }

    public func pollSucceeded(_ channel: String, at date: Date) { update(channel) { $0.lastPollSuccess = date } }
    public func pollFailed(_ channel: String, at date: Date) { update(channel) { $0.lastPollFailure = date } }

    public func sendSucceeded(_ channel: String, at date: Date) { update(channel) { $0.lastSendSuccess = date } }
    public func sendFailed(_ channel: String, at date: Date) { update(channel) { $0.lastSendFailure = date } }

    public func snapshot() -> [String: State] { states.withLock { $0 } }

    private func update(_ channel: String, _ change: (inout State) -> Void) {
        states.withLock { states in change(&states[channel, default: State()]) }
    }
}
