import FirstaskClassifier
import FirstaskDesk
import Foundation
import Synchronization

/// A `Store` in memory, for tests of the desk and the services. Passes the same contract suite as
/// `SQLiteStore`; a `write` that throws leaves no trace, like a rolled-back transaction.
public final class InMemoryStore: Store {
    struct State {
        var inbound: [InboundMessage] = []
        var inboundKeys: Set<String> = []
        var processed: Set<Int64> = []
        var rejected: [RejectedInbound] = []
        var cursors: [String: String] = [:]
        var ticketCounter = 0
        var tickets: [String: Ticket] = [:]
        var ticketOrder: [String] = []
        var events: [String: [TicketEvent]] = [:]
        var outbox: [OutboundMessage] = []
        var outboxIndex: [String: Int] = [:]
        var roster = Roster.empty
        var dutyLog: [DutyLogEntry] = []
        var pendingChoices: [String: PendingChoice] = [:]
        /// Staff corrections of labels, in the order recorded.
        var corrections: [LabelCorrection] = []
        /// Channel intake (`InMemoryStore+Channels.swift`): when each message was stored, which were throttled,
        /// delivery reports by outbox id.
        var storedAt: [Int64: Date] = [:]
        var throttled: Set<Int64> = []
        var reports: [String: DeliveryReport] = [:]
        /// Attachments (`InMemoryStore+Media.swift`), in the order recorded.
        var attachments: [Attachment] = []
    }

    let state = Mutex(State())

    public init() {}

    public func storeInbound(_ batch: InboundBatch) async throws -> Int {
        state.withLock { state in
            var inserted = 0
            for var message in batch.messages {
                guard state.inboundKeys.insert("\(batch.channel)\u{0}\(message.providerID)").inserted else { continue }
                message.id = Int64(state.inbound.count + 1)
                message.channel = batch.channel
                state.inbound.append(message)
                Self.recordAttachments(of: message, now: Date(), in: &state)
                inserted += 1
            }
            state.rejected.append(contentsOf: batch.rejected)
            if let cursor = batch.cursor { state.cursors[batch.channel] = cursor }
            return inserted
        }
    }

    public func cursor(channel: String) async throws -> String? {
        state.withLock { $0.cursors[channel] }
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) throws -> T) async throws -> T {
        try state.withLock { state in
            let transaction = Transaction(state: state)
            let value = try body(transaction)
            state = transaction.state
            return value
        }
    }

    public func pendingInbound(limit: Int) async throws -> [InboundMessage] {
        state.withLock { state in
            let processed = state.processed
            return Array(state.inbound.lazy.filter { !processed.contains($0.id!) }.prefix(limit))
        }
    }

    public func dueOutbound(now: Date, limit: Int) async throws -> [OutboundMessage] {
        state.withLock { state in
            // Stable sort: equal due times keep the order enqueued.
            let due = state.outbox.enumerated().filter { $0.element.status == .pending && $0.element.nextAttemptAt <= now }
            return Array(due.sorted { ($0.element.nextAttemptAt, $0.offset) < ($1.element.nextAttemptAt, $1.offset) }
                .prefix(limit).map(\.element))
        }
    }

    public func nextOutboundDue() async throws -> Date? {
        state.withLock { $0.outbox.filter { $0.status == .pending }.map(\.nextAttemptAt).min() }
    }

    public func recordDeliveries(_ outcomes: [DeliveryOutcome]) async throws {
        state.withLock { state in
            for outcome in outcomes {
                guard let index = state.outboxIndex[outcome.id], state.outbox[index].status == .pending else { continue }
                state.outbox[index].attempts += 1
                switch outcome.result {
                case .sent:
                    state.outbox[index].status = .sent
                    state.outbox[index].sentAt = outcome.at
                    state.outbox[index].lastError = nil
                case let .retry(at, error):
                    state.outbox[index].nextAttemptAt = at
                    state.outbox[index].lastError = error
                case let .dead(error):
                    state.outbox[index].status = .dead
                    state.outbox[index].lastError = error
                }
            }
        }
    }

    public func outbound(status: OutboundMessage.Status?) async throws -> [OutboundMessage] {
        state.withLock { state in state.outbox.filter { status == nil || $0.status == status } }
    }

    public func tickets(_ filter: TicketFilter) async throws -> [Ticket] {
        state.withLock { state in
            state.ticketOrder.compactMap { state.tickets[$0] }.filter { filter.includes($0.status) }
                .sorted { ($0.createdAt, $0.ref) < ($1.createdAt, $1.ref) }
        }
    }

    public func ticket(ref: String) async throws -> (ticket: Ticket, events: [TicketEvent])? {
        state.withLock { state in state.tickets[ref].map { ($0, state.events[ref] ?? []) } }
    }

    public func replaceRoster(_ roster: Roster) async throws {
        state.withLock { $0.roster = roster }
    }

    public func roster() async throws -> Roster {
        state.withLock { $0.roster }
    }

    public func rejectedInbound() async throws -> [RejectedInbound] {
        state.withLock { $0.rejected }
    }

    public func inboundCount() async throws -> Int {
        state.withLock { $0.inbound.count }
    }

    public func outboxBacklog() async throws -> [OutboxBacklog] {
        let pending = state.withLock { $0.outbox.filter { $0.status == .pending } }
        return Dictionary(grouping: pending, by: \.channel).map { channel, rows in
            OutboxBacklog(channel: channel, pending: rows.count, oldestCreatedAt: rows.map(\.createdAt).min()!)
        }.sorted { $0.channel < $1.channel }
    }

    /// Always ready: there is nothing to reach or migrate.
    public func checkReady() async throws {}

    public func dutyLog(from: Date, to: Date) async throws -> [DutyLogEntry] {
        state.withLock { $0.dutyLog.filter { $0.at >= from && $0.at < to } }
    }

    public func corrections(since: Date?) async throws -> [LabelCorrection] {
        state.withLock { state in
            // Stable sort: corrections made at the same instant keep the order recorded.
            state.corrections.enumerated().filter { item in since.map { item.element.at >= $0 } ?? true }
                .sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
        }
    }

    /// A working copy of the state; `write` keeps it only if the body returns.
    final class Transaction: StoreTransaction {
        var state: State

        init(state: State) { self.state = state }

        func pendingInbound(limit: Int) throws -> [InboundMessage] {
            Array(state.inbound.lazy.filter { !self.state.processed.contains($0.id!) }.prefix(limit))
        }

        func markProcessed(through inboundID: Int64) throws {
            for message in state.inbound where message.id! <= inboundID { state.processed.insert(message.id!) }
        }

        func openTickets(resident: String) throws -> [Ticket] {
            state.ticketOrder.compactMap { state.tickets[$0] }.filter { $0.resident == resident && $0.status.isOpen }
        }

        func ticket(ref: String) throws -> Ticket? { state.tickets[ref] }

        func ticket(register: String) throws -> Ticket? {
            state.ticketOrder.compactMap { state.tickets[$0] }.first { $0.register == register }
        }

        func openTicketCount(handler staffID: String) throws -> Int {
            state.tickets.values.filter { $0.handler == staffID && $0.status.isOpen }.count
        }

        func nextTicketNumber() throws -> Int {
            state.ticketCounter += 1
            return state.ticketCounter
        }

        func insertTicket(_ ticket: Ticket) throws {
            guard state.tickets[ticket.ref] == nil else { throw InMemoryStoreError.duplicateTicket(ticket.ref) }
            state.tickets[ticket.ref] = ticket
            state.ticketOrder.append(ticket.ref)
        }

        func updateTicket(_ ticket: Ticket) throws {
            guard state.tickets[ticket.ref] != nil else { throw InMemoryStoreError.noSuchTicket(ticket.ref) }
            state.tickets[ticket.ref] = ticket
        }

        func appendEvent(_ event: TicketEvent) throws {
            guard state.tickets[event.ticketRef] != nil else { throw InMemoryStoreError.noSuchTicket(event.ticketRef) }
            state.events[event.ticketRef, default: []].append(event)
        }

        func enqueue(_ message: OutboundMessage) throws {
            guard state.outboxIndex[message.id] == nil else { return }
            state.outboxIndex[message.id] = state.outbox.count
            state.outbox.append(message)
        }

        func roster() throws -> Roster { state.roster }

        private var openInOrder: [Ticket] {
            state.ticketOrder.compactMap { state.tickets[$0] }.filter { $0.status.isOpen }
        }

        func ticketsDue(at now: Date, limit: Int) throws -> [Ticket] {
            Array(openInOrder.filter { $0.nextCheckAt.map { $0 <= now } ?? false }
                .sorted { ($0.nextCheckAt!, $0.ref) < ($1.nextCheckAt!, $1.ref) }.prefix(limit))
        }

        func openTickets(category: Category, location: Location, since: Date) throws -> [Ticket] {
            openInOrder.filter { $0.category == category && $0.location == location && $0.createdAt >= since }
        }

        func openTickets(staff staffID: String) throws -> [Ticket] {
            openInOrder.filter { $0.isOwned(by: staffID) }
        }

        func events(ref: String) throws -> [TicketEvent] { state.events[ref] ?? [] }

        func appendDutyLog(_ entry: DutyLogEntry) throws { state.dutyLog.append(entry) }

        func dutyLog(since: Date) throws -> [DutyLogEntry] { state.dutyLog.filter { $0.at >= since } }

        func pendingChoice(resident: String) throws -> PendingChoice? { state.pendingChoices[resident] }

        func setPendingChoice(_ choice: PendingChoice?, resident: String) throws {
            state.pendingChoices[resident] = choice
        }

        func appendCorrection(_ correction: LabelCorrection) throws {
            guard state.tickets[correction.ticketRef] != nil else { throw InMemoryStoreError.noSuchTicket(correction.ticketRef) }
            state.corrections.append(correction)
        }
    }
}

enum InMemoryStoreError: Error {
    case duplicateTicket(String)
    case noSuchTicket(String)
}
