import FirstaskClassifier
import FirstaskDesk
import Foundation

/// The written record of one matter, as the complaint procedure (五清楚一报告) asks it to be kept: the
/// matter (事项), the process (过程), the result (结果), the resident's opinion (住户意见), and whether each
/// deadline was met. Pure: built from a ticket, its timeline and the roster; renderers turn it into text or HTML.
public struct TicketRecord: Sendable {
    /// One line of the process: who did what, when, by which channel.
    public struct Step: Sendable, Equatable {
        public var at: Date
        /// `resident`, `system`, `admin` or a staff id.
        public var actor: String
        /// The staff member's name for a staff id, else `nil`.
        public var actorName: String?
        public var kind: TicketEvent.Kind
        public var text: String
        public var channel: String?
    }

    public var ticket: Ticket
    /// The timeline, oldest first (events at the same instant keep the order they were stored in).
    public var steps: [Step]
    /// First response, reply and resolution, each with its due time and outcome.
    public var deadlines: [DeadlineCheck]
    public var firstResponderName: String?
    public var handlerName: String?
    public var conductSubjectName: String?
    /// What staff wrote when marking it done (the last `resolved` step), if it was.
    public var resolution: String?
    /// The written reply to a written complaint (the last `written_reply` step).
    public var writtenReply: String?
    /// The time zone every time is shown in (the roster's).
    public var timeZone: TimeZone
    /// The moment the record describes the ticket at: deadlines not yet due then are `pending`.
    public var asOf: Date
    /// Photos and files on the ticket, oldest first (set by the caller from the `AttachmentStore`).
    public var attachments: [Attachment] = []

    /// Builds the record of `ticket` from its `events`, naming staff from `roster`.
    public static func build(ticket: Ticket, events: [TicketEvent], roster: Roster, asOf: Date) -> TicketRecord {
        let ordered = events.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
        let steps = ordered.map { event in
            Step(at: event.at, actor: event.actor, actorName: roster.member(id: event.actor)?.name, kind: event.kind,
                 text: event.text, channel: event.channel)
        }
        return TicketRecord(
            ticket: ticket, steps: steps, deadlines: DeadlineCheck.all(for: ticket, events: ordered, asOf: asOf),
            firstResponderName: roster.member(id: ticket.firstResponder)?.name,
            handlerName: roster.member(id: ticket.handler)?.name,
            conductSubjectName: ticket.conductSubject.flatMap { roster.member(id: $0)?.name },
            resolution: ordered.last { $0.kind == .resolved }?.text,
            writtenReply: ordered.last { $0.kind == .writtenReply }?.text,
            timeZone: roster.timeZone, asOf: asOf)
    }

    /// Steps that moved the ticket between people or up the ladder (transfers, escalations, reminders, pages).
    public var handovers: [Step] {
        steps.filter { [.transferred, .escalated, .reminded, .paged].contains($0.kind) }
    }
}
