import FirstaskClassifier
import Foundation

/// The SLA clock: which of a ticket's deadlines are running, which were missed, and what each missed
/// deadline calls for now. Pure: the desk's timer applies the steps it returns.
///
/// A missed deadline escalates one step at a time, `DeskPolicy.step(for:)` apart: at the deadline the
/// handler and first responder are reminded (step 1), then the department head is told (step 2), then
/// company leadership (step 3). Each deadline climbs its own ladder; meeting it stops the climb.
public enum SlaClock {
    /// One escalation step that has come due.
    public struct Step: Sendable, Equatable {
        public var deadline: Deadline
        /// 1 remind, 2 department head, 3 leadership.
        public var level: Int
        /// When the deadline itself fell due (what the texts name), not when this step did.
        public var dueAt: Date
    }

    public static let topLevel = 3

    /// The deadlines still running for `ticket`, with the time each falls due.
    public static func running(_ ticket: Ticket) -> [(deadline: Deadline, at: Date)] {
        guard ticket.status == .open || ticket.status == .accepted else { return [] }
        var running: [(Deadline, Date)] = []
        if ticket.firstResponseAt == nil, let due = ticket.firstResponseDueAt {
            running.append((.firstResponse, due))
        }
        let promiseKept = ticket.lastReplyAt.map { reply in reply >= (ticket.promiseMadeAt ?? ticket.createdAt) } ?? false
        if !promiseKept, let due = ticket.promisedReplyAt {
            running.append((.reply, due))
        }
        if let due = ticket.resolutionDueAt {
            running.append((.resolution, due))
        }
        return running
    }

    /// The steps due at `now` that the ticket has not taken yet, lowest first per deadline.
    public static func dueSteps(_ ticket: Ticket, policy: DeskPolicy, now: Date) -> [Step] {
        let step = policy.step(for: ticket.severity)
        var steps: [Step] = []
        for (deadline, due) in running(ticket) where due <= now {
            let reached = ticket.escalations[deadline] ?? 0
            let elapsed = Int((now.timeIntervalSince(due) / step).rounded(.down))
            let target = min(topLevel, 1 + elapsed)
            guard target > reached else { continue }
            for level in (reached + 1)...target {
                steps.append(Step(deadline: deadline, level: level, dueAt: due))
            }
        }
        return steps
    }

    /// When the timer must look at the ticket next: the next escalation step of a running deadline, or the
    /// end of the confirmation window of a done ticket; `nil` when nothing is pending.
    public static func nextCheck(_ ticket: Ticket, policy: DeskPolicy) -> Date? {
        if ticket.status == .resolved, ticket.awaiting == .confirmation, let resolved = ticket.resolvedAt {
            return resolved.addingTimeInterval(policy.confirmWithin)
        }
        let step = policy.step(for: ticket.severity)
        return running(ticket).compactMap { deadline, due -> Date? in
            let reached = ticket.escalations[deadline] ?? 0
            guard reached < topLevel else { return nil }
            return due.addingTimeInterval(Double(reached) * step)
        }.min()
    }

    /// Sets a fresh deadline `deadline` from `now` (opening, reopening, a new severity).
    public static func restart(_ deadline: Deadline, on ticket: inout Ticket, policy: DeskPolicy, now: Date) {
        let span = policy.deadlines(for: ticket.severity, category: ticket.category)[deadline]
        switch deadline {
        case .firstResponse: ticket.firstResponseDueAt = now.addingTimeInterval(span)
        case .reply:
            ticket.promisedReplyAt = now.addingTimeInterval(span)
            ticket.promiseMadeAt = now
        case .resolution: ticket.resolutionDueAt = now.addingTimeInterval(span)
        }
        ticket.escalations[deadline] = nil
    }
}
