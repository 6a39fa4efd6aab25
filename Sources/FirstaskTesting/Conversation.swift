import FirstaskApp
import FirstaskDesk
import Foundation
import Logging

/// A scripted conversation with the whole gateway on loopback: phones text the simulated inbox, the
/// gateway polls it over libcurl, the desk answers through the outbox, and the dispatcher delivers the
/// answers back to the inbox. Time is a `FakeClock`; deadlines run when the script advances it.
///
/// Each step (`resident`, `staff`, `advance`, `admin`) waits until the gateway has handled everything and
/// sent everything that is due, then keeps the texts that step caused in `last`. A step that does not settle
/// throws `Conversation.NotSettled`, so no expectation is ever checked against a step still in flight (silence
/// from a gateway that has not answered yet is not silence).
public final class Conversation: @unchecked Sendable {
    public let rig: LoopbackRig
    public let clock: FakeClock
    public let roster: Roster
    /// The texts delivered during the last step.
    public private(set) var last: [SimulatedInbox.Delivery] = []

    /// A step after which the gateway was still working when the wait ran out: counts only, no numbers or texts.
    public struct NotSettled: Error, CustomStringConvertible {
        public var injected: Int
        public var stored: Int
        public var unhandled: Int
        public var due: Int
        public var description: String {
            "the gateway did not settle after the step: \(stored) of \(injected) injected messages stored, "
                + "\(unhandled) not yet handled by the desk, \(due) due texts not yet sent"
        }
    }

    /// 2026-12-01, a Tuesday, 10:00 in Shanghai: the day shifts are on (weekday shifts too).
    public static let morning = ISO8601DateFormatter().date(from: "2026-12-01T02:00:00Z")!

    init(rig: LoopbackRig, clock: FakeClock, roster: Roster) {
        self.rig = rig
        self.clock = clock
        self.roster = roster
    }

    /// Runs `body` against a fresh gateway (temporary SQLite, shipped prompts, the shipped roster unless
    /// `rosterPath` names another) at `start`.
    public static func run(
        at start: Date = Conversation.morning, policy: DeskPolicy = DeskPolicy(), roster rosterPath: String = RepositoryFiles.roster,
        _ body: @Sendable (Conversation) async throws -> Void
    ) async throws {
        let folder = try RepositoryFiles.temporaryFolder("convo")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var options = LoopbackRig.Options(folder: folder, promptsPath: RepositoryFiles.prompts, rosterPath: rosterPath)
        options.adminServer = false
        let clock = FakeClock(start)
        options.clock = clock
        options.deskPolicy = policy
        let roster = try RosterFile.load(path: rosterPath)
        var logger = Logger(label: "firstask.conversation")
        logger.logLevel = .critical
        try await LoopbackRig.with(options, logger: logger) { rig in
            try await body(Conversation(rig: rig, clock: clock, roster: roster))
        }
    }

    // MARK: Steps

    /// A phone that is not on the roster texts the gateway.
    public func resident(_ phone: String, _ text: String) async throws {
        try await step { rig.inbox.inject(from: phone, text: text) }
    }

    /// A staff member (by roster id) texts the gateway from their registered phone.
    public func staff(_ id: String, _ text: String) async throws {
        let phone = address(id)
        try await step { rig.inbox.inject(from: phone, text: text) }
    }

    /// Moves the fake clock on and runs the desk's clocks once.
    public func advance(by seconds: TimeInterval) async throws {
        clock.advance(by: seconds)
        try await step { _ = try await rig.gateway.deskWorker.runClocks() }
    }

    /// Sets the fake clock and runs the desk's clocks once.
    public func advance(to date: Date) async throws {
        clock.set(date)
        try await step { _ = try await rig.gateway.deskWorker.runClocks() }
    }

    /// Something the office does directly on the desk (registering a written complaint), in one transaction.
    @discardableResult
    public func admin<T: Sendable>(_ body: @escaping @Sendable (Desk, any StoreTransaction, Date) throws -> T) async throws -> T {
        var value: T?
        let desk = rig.gateway.desk.current
        let now = clock.now
        try await step {
            value = try await rig.gateway.store.write { tx in try body(desk, tx, now) }
        }
        return value!
    }

    /// Runs `action`, waits for the gateway to settle and keeps the texts it caused; throws `NotSettled`
    /// when it does not settle within `settleTimeout`.
    func step(_ action: () async throws -> Void) async throws {
        let mark = rig.inbox.deliveries.count
        try await action()
        let unsettled = try await settle(timeout: settleTimeout)
        last = rig.inbox.deliveries(from: mark)
        if let unsettled { throw unsettled }
    }

    /// How long a step waits for the gateway to settle.
    public var settleTimeout: Duration = .seconds(15)

    /// Waits until every injected message is stored and handled and no outbox row that is due now is
    /// pending (rows held for quiet hours do not count); returns what was still in flight when `timeout`
    /// ran out, `nil` when it settled.
    public func settle(timeout: Duration) async throws -> NotSettled? {
        let deadline = ContinuousClock.now + timeout
        let store = rig.gateway.store
        while true {
            let injected = rig.inbox.inbound.count
            let stored = try await store.inboundCount()
            let unhandled = try await store.pendingInbound(limit: 100).count
            let due = try await store.dueOutbound(now: clock.now, limit: 100).count
            if stored == injected, unhandled == 0, due == 0 { return nil }
            if ContinuousClock.now >= deadline {
                return NotSettled(injected: injected, stored: stored, unhandled: unhandled, due: due)
            }
            try await Task.sleep(until: .now + .milliseconds(15))
        }
    }

    // MARK: Looking

    /// A staff id's phone number, or `who` itself (a resident's number).
    public func address(_ who: String) -> String { roster.member(id: who)?.address ?? who }

    /// The texts `who` (a staff id or a phone number) received during the last step.
    public func texts(to who: String) -> [String] {
        let address = address(who)
        return last.filter { $0.to == address }.map(\.text)
    }

    /// Every text `who` received since the conversation began.
    public func allTexts(to who: String) -> [String] {
        let address = address(who)
        return rig.inbox.deliveries.filter { $0.to == address }.map(\.text)
    }

    /// Everyone who received something during the last step, as staff ids or phone numbers.
    public var recipients: Set<String> {
        Set(last.map { delivery in roster.member(address: delivery.to)?.id ?? delivery.to })
    }

    public func ticket(_ ref: String) async throws -> Ticket? {
        try await rig.gateway.store.ticket(ref: ref)?.ticket
    }

    public func events(_ ref: String) async throws -> [TicketEvent] {
        try await rig.gateway.store.ticket(ref: ref)?.events ?? []
    }

    public func tickets() async throws -> [Ticket] {
        try await rig.gateway.store.tickets(.all)
    }

    /// Outbox rows to `who` still waiting to be sent.
    public func held(to who: String) async throws -> [OutboundMessage] {
        let address = address(who)
        return try await rig.gateway.store.outbound(status: .pending).filter { $0.to == address }
    }

    /// Every outbox row to `who`, whatever its state.
    public func outbox(to who: String) async throws -> [OutboundMessage] {
        let address = address(who)
        return try await rig.gateway.store.outbound(status: nil).filter { $0.to == address }
    }
}
