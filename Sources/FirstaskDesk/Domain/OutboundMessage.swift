import Foundation

/// A text the gateway owes someone: one row of the durable outbox.
///
/// Rows are written in the same transaction as the ticket change that caused them and sent by the
/// dispatcher. `id` is the idempotency key sent to the provider, so a resend after a crash can be
/// recognised by a well-behaved provider.
public struct OutboundMessage: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable {
        /// Waiting to be sent (again) at `nextAttemptAt`.
        case pending
        /// The channel accepted it.
        case sent
        /// Given up: a final error, or too many attempts. `lastError` says why.
        case dead
    }

    public var id: String
    public var channel: String
    public var to: String
    public var text: String
    /// The ticket the message is about, if any.
    public var ticketRef: String?
    public var status: Status
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastError: String?
    public var createdAt: Date
    public var sentAt: Date?

    public init(
        id: String, channel: String, to: String, text: String, ticketRef: String? = nil,
        status: Status = .pending, attempts: Int = 0, nextAttemptAt: Date, lastError: String? = nil,
        createdAt: Date, sentAt: Date? = nil
    ) {
        self.id = id
        self.channel = channel
        self.to = to
        self.text = text
        self.ticketRef = ticketRef
        self.status = status
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.createdAt = createdAt
        self.sentAt = sentAt
    }
}

/// The outcome of one send attempt, recorded by `Store.recordDeliveries`.
public struct DeliveryOutcome: Sendable, Equatable {
    public enum Result: Sendable, Equatable {
        case sent
        /// Try again no earlier than `at`.
        case retry(at: Date, error: String)
        /// Never try again.
        case dead(error: String)
    }

    public var id: String
    public var result: Result
    public var at: Date

    public init(id: String, result: Result, at: Date) {
        self.id = id
        self.result = result
        self.at = at
    }
}

/// The pending part of one channel's outbox: how many rows wait and since when the oldest has waited.
public struct OutboxBacklog: Sendable, Equatable {
    public var channel: String
    public var pending: Int
    /// `createdAt` of the oldest pending row.
    public var oldestCreatedAt: Date

    public init(channel: String, pending: Int, oldestCreatedAt: Date) {
        self.channel = channel
        self.pending = pending
        self.oldestCreatedAt = oldestCreatedAt
    }
}
