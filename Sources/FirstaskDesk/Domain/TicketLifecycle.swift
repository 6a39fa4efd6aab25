/// A ticket's state — whether staff have it, what the desk waits for from the resident, how it closed — and
/// its legal transitions.
///
/// Modelled on swift-nio's state machines: `handle(_:)` moves the state and returns the effects the desk then
/// writes (clocks to restart, dates to stamp, flags, timeline entries, texts to the resident), so the flows in
/// the `DeskTurn` files decide and render but never set the state themselves. A state that cannot happen
/// cannot be written down: a closed ticket always has its reason, only a done ticket waits for confirmation,
/// and a question to the resident belongs to a ticket still being worked.
public struct TicketLifecycle: Sendable, Equatable, Hashable, Codable {
    public enum State: Sendable, Equatable, Hashable, Codable {
        /// Opened; nobody on staff has taken it yet. It may wait for the resident's answer to a question.
        case open(waitingFor: Question?)
        /// Staff are working on it. It may still wait for the resident's answer.
        case accepted(waitingFor: Question?)
        /// Staff marked it done; waiting for the resident to confirm it solved and rate it.
        case resolved
        /// Finished, and how.
        case closed(Ticket.CloseReason)
    }

    /// What the desk asked the resident about the problem, while the ticket is being worked.
    public enum Question: String, Sendable, Codable, CaseIterable {
        /// Where the problem is (a repair without a flat number).
        case location
        /// What the problem is (the classifier could not tell).
        case details
    }

    /// What happened to the ticket.
    public enum Event: Sendable, Equatable, Hashable {
        /// Staff took a step the resident sees: accept, reply, promise a time.
        case staffStep
        /// The ticket went to another department: nobody there has taken it yet.
        case handedOn
        /// Staff marked it done; the resident confirms it unless there is no resident to ask (a patrol finding).
        case done(residentConfirms: Bool)
        /// The resident confirmed it solved.
        case confirmed
        /// The resident said it is not solved.
        case reopened
        /// The resident did not answer within the confirmation window.
        case confirmationLapsed
        /// The resident answered `question`; the desk now waits for `next`, if anything.
        case answered(Question, next: Question?)
    }

    /// What a transition asks the desk to write, in order.
    public enum Effect: Sendable, Equatable, Hashable {
        /// Start this deadline afresh from now.
        case restartClock(Deadline)
        /// The work was done now (`resolvedAt`).
        case stampResolved
        /// The work is no longer done (`resolvedAt` cleared).
        case clearResolved
        /// The ticket closed now (`closedAt`).
        case stampClosed
        case flag(Ticket.Flag)
        /// One more "not solved" (`reopenCount`).
        case countReopen
        /// A timeline entry of this kind, with the words of whoever caused the transition.
        case timeline(TicketEvent.Kind)
        /// Text the resident with this template.
        case tellResident(String)
    }

    /// An event the state does not allow (confirming a ticket nobody marked done, working a closed one).
    public struct IllegalTransition: Error, Equatable, CustomStringConvertible {
        public var state: State
        public var event: Event
        public init(state: State, event: Event) {
            self.state = state
            self.event = event
        }
        public var description: String { "a ticket in state \(state) cannot take \(event)" }
    }

    public private(set) var state: State

    public init(_ state: State = .open(waitingFor: nil)) {
        self.state = state
    }

    /// The lifecycle of a new ticket, and its effects: every clock starts; praise, with nothing to work, closes at once.
    public static func opening(asking question: Question?, praise: Bool) -> (TicketLifecycle, [Effect]) {
        if praise { return (TicketLifecycle(.closed(.acknowledged)), [.stampClosed]) }
        return (TicketLifecycle(.open(waitingFor: question)), Deadline.allCases.map { .restartClock($0) })
    }

    /// Moves the state for `event` and returns what the desk must write; throws, changing nothing, when the
    /// state does not allow it.
    public mutating func handle(_ event: Event) throws(IllegalTransition) -> [Effect] {
        switch (state, event) {
        case let (.open(question), .staffStep), let (.accepted(question), .staffStep):
            state = .accepted(waitingFor: question)
            return []
        case (.resolved, .staffStep), (.resolved, .handedOn):
            return []
        case let (.open(question), .handedOn), let (.accepted(question), .handedOn):
            state = .open(waitingFor: question)
            return []

        case (.open, .done(let confirms)), (.accepted, .done(let confirms)), (.resolved, .done(let confirms)):
            if confirms {
                state = .resolved
                return [.stampResolved, .timeline(.resolved), .tellResident("resident.resolved")]
            }
            state = .closed(.staff)
            return [.stampResolved, .stampClosed, .timeline(.resolved)]

        case (.resolved, .confirmed):
            state = .closed(.confirmed)
            return [.stampClosed, .timeline(.confirmed), .tellResident("resident.thanks")]
        case (.resolved, .reopened):
            state = .accepted(waitingFor: nil)
            return [.clearResolved, .countReopen, .flag(.reopened), .restartClock(.reply), .restartClock(.resolution),
                    .timeline(.reopened), .tellResident("resident.reopened")]
        case (.resolved, .confirmationLapsed):
            state = .closed(.unconfirmed)
            return [.stampClosed, .flag(.unconfirmed), .timeline(.closed), .tellResident("resident.closed_unconfirmed")]

        case let (.open(waiting?), .answered(question, next)) where waiting == question:
            state = .open(waitingFor: next)
            return [.timeline(.clarified)]
        case let (.accepted(waiting?), .answered(question, next)) where waiting == question:
            state = .accepted(waitingFor: next)
            return [.timeline(.clarified)]

        case (.closed, _), (.open, _), (.accepted, _), (.resolved, _):
            throw IllegalTransition(state: state, event: event)
        }
    }

    // MARK: The stored columns

    /// `ticket.status` as stored and shown.
    public var status: Ticket.Status {
        switch state {
        case .open: .open
        case .accepted: .accepted
        case .resolved: .resolved
        case .closed: .closed
        }
    }

    /// `ticket.awaiting` as stored and shown: the question, or the confirmation of a done ticket.
    public var awaiting: Ticket.Question? {
        switch state {
        case let .open(question), let .accepted(question): question.map { $0 == .location ? .location : .details }
        case .resolved: .confirmation
        case .closed: nil
        }
    }

    /// `ticket.close_reason` as stored and shown.
    public var closeReason: Ticket.CloseReason? {
        if case let .closed(reason) = state { return reason }
        return nil
    }

    /// The lifecycle the stored columns describe. Columns written before the lifecycle existed may
    /// contradict each other; they read as the legal state nearest to what they say: the status decides, a
    /// closed ticket without a reason closed by staff, and a question that does not fit the status is dropped.
    public init(status: Ticket.Status, awaiting: Ticket.Question?, closeReason: Ticket.CloseReason?) {
        let question: Question? = switch awaiting {
        case .location: .location
        case .details: .details
        case .confirmation, nil: nil
        }
        switch status {
        case .open: state = .open(waitingFor: question)
        case .accepted: state = .accepted(waitingFor: question)
        case .resolved: state = .resolved
        case .closed: state = .closed(closeReason ?? .staff)
        }
    }
}
