import FirstaskDesk
import Synchronization

/// A `MessageSink` that records what it is given and fails the ids it is told to, for tests of the
/// dispatcher's retry policy without a network. Uses the protocol's default batch sending.
public final class RecordingSink: MessageSink {
    public let channelID: String
    private let state = Mutex<(sent: [OutboundMessage], failures: [String: ChannelError.Retry])>(([], [:]))

    public init(channelID: String = "sms") {
        self.channelID = channelID
    }

    /// The next attempt at `id` fails with `retry`.
    public func fail(_ id: String, retry: ChannelError.Retry) {
        state.withLock { $0.failures[id] = retry }
    }

    public var sent: [OutboundMessage] { state.withLock { $0.sent } }

    public func send(_ message: OutboundMessage) async throws {
        let failure = state.withLock { state -> ChannelError.Retry? in
            if let retry = state.failures.removeValue(forKey: message.id) { return retry }
            state.sent.append(message)
            return nil
        }
        if let failure {
            throw ChannelError(channel: channelID, message: "send \(message.id) failed (scripted)", retry: failure)
        }
    }
}
