import FirstaskClassifier
import Foundation

/// Durable storage for everything the gateway must not lose: inbound messages, channel cursors,
/// tickets and their timelines, the outbox, and the roster.
///
/// Implementations (`SQLiteStore`, `InMemoryStore`) pass the same contract suite. Every method is
/// atomic: it either happens entirely or not at all.
public protocol Store: Sendable {
    /// Stores a batch from one channel and, in the same transaction, the channel's new cursor.
    ///
    /// A message whose (`channel`, `providerID`) is already stored is ignored, so redelivery is harmless.
    /// Returns how many messages were new.
    func storeInbound(_ batch: InboundBatch) async throws -> Int

    /// The cursor last stored for `channel`, or `nil` before the first batch.
    func cursor(channel: String) async throws -> String?

    /// Runs `body` in one write transaction: all its changes are kept if it returns, none if it throws.
    ///
    /// The desk uses this to turn stored messages into ticket changes and outbox rows atomically.
    func write<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) throws -> T) async throws -> T

    /// Stored inbound messages the desk has not handled yet, oldest first (a read; the desk's own view
    /// inside a transaction is `StoreTransaction.pendingInbound`).
    func pendingInbound(limit: Int) async throws -> [InboundMessage]

    /// Outbox rows due at `now` (`pending` with `nextAttemptAt <= now`), earliest due first, then in the order enqueued.
    func dueOutbound(now: Date, limit: Int) async throws -> [OutboundMessage]

    /// The earliest `nextAttemptAt` of any pending row, to know how long the dispatcher may sleep.
    func nextOutboundDue() async throws -> Date?

    /// Records send outcomes in one transaction. An outcome for a row that is no longer `pending` is ignored,
    /// so a row is never marked sent twice.
    func recordDeliveries(_ outcomes: [DeliveryOutcome]) async throws

    /// Outbox rows, newest last, optionally only those with `status`.
    func outbound(status: OutboundMessage.Status?) async throws -> [OutboundMessage]

    /// Tickets matching `filter`, oldest first.
    func tickets(_ filter: TicketFilter) async throws -> [Ticket]

    /// One ticket and its timeline (oldest event first), or `nil` if no ticket has that ref.
    func ticket(ref: String) async throws -> (ticket: Ticket, events: [TicketEvent])?

    /// Replaces the stored staff directory and duty shifts.
    func replaceRoster(_ roster: Roster) async throws

    /// The stored roster (`Roster.empty` with `timeZone` GMT if none was stored).
    func roster() async throws -> Roster

    /// Messages skipped because they could not be read, oldest first.
    func rejectedInbound() async throws -> [RejectedInbound]

    /// Count of stored inbound messages (all channels).
    func inboundCount() async throws -> Int

    /// Duty log entries with `from <= at < to`, oldest first.
    func dutyLog(from: Date, to: Date) async throws -> [DutyLogEntry]

    /// Staff corrections of tickets' labels made at or after `since` (all when `nil`), oldest first.
    func corrections(since: Date?) async throws -> [LabelCorrection]

    /// The pending outbox rows per channel, for channels that have any, sorted by channel id.
    func outboxBacklog() async throws -> [OutboxBacklog]

    /// Returns when the store can be read and its schema is the one this build writes; throws otherwise
    /// (readiness and `firstask check`).
    func checkReady() async throws
}

/// What the desk may read and change inside one `Store.write` transaction. Synchronous: it runs on the
/// store's own writer, never on an I/O thread.
public protocol StoreTransaction {
    /// Stored inbound messages the desk has not handled yet, oldest first.
    func pendingInbound(limit: Int) throws -> [InboundMessage]
    /// Marks every stored inbound message with an id up to and including `inboundID` handled.
    func markProcessed(through inboundID: Int64) throws
    /// Tickets of `resident` that are not closed, oldest first.
    func openTickets(resident: String) throws -> [Ticket]
    func ticket(ref: String) throws -> Ticket?
    /// The written complaint registered under `register`, if any.
    func ticket(register: String) throws -> Ticket?
    /// Number of open tickets whose handler is `staffID` (to balance assignment).
    func openTicketCount(handler staffID: String) throws -> Int
    /// The next ticket number, unique for the life of the store.
    func nextTicketNumber() throws -> Int
    func insertTicket(_ ticket: Ticket) throws
    func updateTicket(_ ticket: Ticket) throws
    func appendEvent(_ event: TicketEvent) throws
    /// Adds a row to the outbox. Rows with an id already present are ignored.
    func enqueue(_ message: OutboundMessage) throws
    func roster() throws -> Roster

    /// Tickets not closed whose `nextCheckAt` is at or before `now`, earliest first.
    func ticketsDue(at now: Date, limit: Int) throws -> [Ticket]
    /// Tickets not closed about the same place and category, opened at or after `since`, oldest first.
    func openTickets(category: Category, location: Location, since: Date) throws -> [Ticket]
    /// Tickets not closed that `staffID` handles or is first responder for, oldest first.
    func openTickets(staff staffID: String) throws -> [Ticket]
    /// A ticket's timeline, oldest first.
    func events(ref: String) throws -> [TicketEvent]
    func appendDutyLog(_ entry: DutyLogEntry) throws
    /// Duty log entries at or after `since`, oldest first.
    func dutyLog(since: Date) throws -> [DutyLogEntry]
    /// The message waiting for the resident to say which ticket it belongs to.
    func pendingChoice(resident: String) throws -> PendingChoice?
    /// Stores (or, with `nil`, clears) the message waiting for the resident's choice.
    func setPendingChoice(_ choice: PendingChoice?, resident: String) throws
    /// Records a staff correction of a ticket's labels (the ticket must exist).
    func appendCorrection(_ correction: LabelCorrection) throws
}
