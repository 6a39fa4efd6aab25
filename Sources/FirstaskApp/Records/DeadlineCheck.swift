import FirstaskDesk
import Foundation

/// Whether one of a ticket's deadlines was met.
public struct DeadlineCheck: Sendable, Equatable {
    public enum Outcome: String, Sendable, Equatable {
        /// Done at or before the due time.
        case met
        /// Done after the due time, or not done and the due time has passed.
        case missed
        /// Not done yet and not yet due.
        case pending
        /// The ticket never had this deadline (praise, a ticket from before deadlines were kept).
        case notSet = "not_set"
    }

    public var deadline: Deadline
    public var due: Date?
    /// When it was done (first response, the reply that kept the promise, marked done).
    public var done: Date?
    public var outcome: Outcome

    /// `met`/`missed` from the times alone: `done <= due` is met; no `done` is missed once `asOf` is past `due`.
    public static func evaluate(due: Date?, done: Date?, asOf: Date) -> Outcome {
        guard let due else { return .notSet }
        if let done { return done <= due ? .met : .missed }
        return asOf > due ? .missed : .pending
    }

    /// The three checks of `ticket`, in the order first response, reply, resolution.
    ///
    /// The reply that counts is the first staff reply, done mark or written reply at or after the promise
    /// was made (the opening, or the last staff `promise`).
    public static func all(for ticket: Ticket, events: [TicketEvent], asOf: Date) -> [DeadlineCheck] {
        let promiseMade = ticket.promiseMadeAt ?? ticket.createdAt
        let reply = events.first { [.staffReply, .resolved, .writtenReply].contains($0.kind) && $0.at >= promiseMade }?.at
        // A ticket that was reopened has no resolvedAt until it is done again; closing ends the clock too.
        let resolved = ticket.resolvedAt ?? (ticket.status == .closed ? ticket.closedAt : nil)
        return [
            DeadlineCheck(deadline: .firstResponse, due: ticket.firstResponseDueAt, done: ticket.firstResponseAt,
                          outcome: evaluate(due: ticket.firstResponseDueAt, done: ticket.firstResponseAt, asOf: asOf)),
            DeadlineCheck(deadline: .reply, due: ticket.promisedReplyAt, done: reply,
                          outcome: evaluate(due: ticket.promisedReplyAt, done: reply, asOf: asOf)),
            DeadlineCheck(deadline: .resolution, due: ticket.resolutionDueAt, done: resolved,
                          outcome: evaluate(due: ticket.resolutionDueAt, done: resolved, asOf: asOf)),
        ]
    }
}
