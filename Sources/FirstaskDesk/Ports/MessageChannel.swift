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
    /// The default sends them `concurrency` at a time through `send(_:)`; a channel that can do better
    /// (one suspension for the whole batch) implements it.
    func send(all messages: [OutboundMessage], concurrency: Int) async -> [ChannelError?]
}

extension MessageSink {
    public func send(all messages: [OutboundMessage], concurrency: Int) async -> [ChannelError?] {
        await withTaskGroup(of: (Int, ChannelError?).self, returning: [ChannelError?].self) { group in
            var results = [ChannelError?](repeating: nil, count: messages.count)
            var next = 0
            func start() {
                guard next < messages.count else { return }
                let index = next
                let message = messages[index]
                next += 1
                group.addTask {
                    do {
                        try await send(message)
                        return (index, nil)
                    } catch let error as ChannelError {
                        return (index, error)
                    } catch {
                        return (index, ChannelError(channel: channelID, message: "send \(message.id): \(error)", retry: .backoff))
                    }
                }
            }
            for _ in 0..<max(1, concurrency) { start() }
            while let (index, error) = await group.next() {
                results[index] = error
                start()
            }
            return results
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
