import Foundation

/// A page of inbound messages fetched from a polled channel.
public struct InboundPage: Sendable {
    public var messages: [InboundMessage]
    /// Items that could not be read as messages; recorded and skipped.
    public var rejected: [RejectedInbound]
    /// The cursor to store once every message of the page is stored; `nil` keeps the old one.
    public var next: String?

    public init(messages: [InboundMessage], rejected: [RejectedInbound], next: String?) {
        self.messages = messages
        self.rejected = rejected
        self.next = next
    }
}

/// A channel the gateway polls for inbound messages.
public protocol MessageSource: Sendable {
    /// The configured channel id.
    var channelID: String { get }
    /// Fetches messages after `cursor` (all from the start when `nil`), oldest first.
    ///
    /// Must not acknowledge anything upstream: the caller stores the page and only then its cursor.
    /// Throws `ChannelError` when the channel cannot be read.
    func fetch(after cursor: String?) async throws -> InboundPage
}

/// A channel the gateway sends texts through.
public protocol MessageSink: Sendable {
    var channelID: String { get }
    /// Hands one message to the channel; returns when the channel accepted it.
    ///
    /// `message.id` is the idempotency key. Throws `ChannelError`; its `retry` says whether and when
    /// to try again.
    func send(_ message: OutboundMessage) async throws

    /// Hands many messages to the channel and returns, in the same order, `nil` for each one accepted
    /// or the error for each one that was not. Each message is attempted once.
    ///
    /// The default sends to `concurrency` recipients at a time through `send(_:)`, and to each recipient
    /// one message after another in the given order, so a resident never reads "done" before "received".
    /// A channel that can do better (one suspension for the whole batch) implements it.
    func send(all messages: [OutboundMessage], concurrency: Int) async -> [ChannelError?]
}

extension MessageSink {
    public func send(all messages: [OutboundMessage], concurrency: Int) async -> [ChannelError?] {
        // One queue per recipient, in first-seen order; each queue keeps the batch's order.
        var queues: [[Int]] = []
        var queueOf: [String: Int] = [:]
        for (index, message) in messages.enumerated() {
            if let queue = queueOf[message.to] {
                queues[queue].append(index)
            } else {
                queueOf[message.to] = queues.count
                queues.append([index])
            }
        }
        return await withTaskGroup(of: [(Int, ChannelError?)].self, returning: [ChannelError?].self) { group in
            var results = [ChannelError?](repeating: nil, count: messages.count)
            var next = 0
            func start() {
                guard next < queues.count else { return }
                let queue = queues[next].map { ($0, messages[$0]) }
                next += 1
                group.addTask {
                    var outcomes: [(Int, ChannelError?)] = []
                    for (index, message) in queue { outcomes.append((index, await attempt(message))) }
                    return outcomes
                }
            }
            for _ in 0..<max(1, concurrency) { start() }
            while let outcomes = await group.next() {
                for (index, error) in outcomes { results[index] = error }
                start()
            }
            return results
        }
    }

    /// One send, its failure as a `ChannelError`.
    private func attempt(_ message: OutboundMessage) async -> ChannelError? {
        do {
            try await send(message)
            return nil
        } catch let error as ChannelError {
            return error
        } catch {
            return ChannelError(channel: channelID, message: "send \(message.id): \(error)", retry: .backoff)
        }
    }
}

/// Why a channel operation failed, and what the caller should do about it.
///
/// The description names the channel and what failed; it never contains a phone number, a message
/// body or a token.
public struct ChannelError: Error, CustomStringConvertible, Sendable {
    public enum Retry: Sendable, Equatable {
        /// Try again later with the usual backoff.
        case backoff
        /// Try again no earlier than this many seconds from now (a provider's Retry-After).
        case after(seconds: Double)
        /// Do not try again: the request itself is wrong.
        case never
    }

    public var channel: String
    public var message: String
    public var retry: Retry

    public init(channel: String, message: String, retry: Retry) {
        self.channel = channel
        self.message = message
        self.retry = retry
    }

    public var description: String { "channel \(channel): \(message)" }
}
