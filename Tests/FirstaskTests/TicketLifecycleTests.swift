import FirstaskDesk
import Testing

/// Every state × every event: the legal transitions move as listed here and return their effects; every
/// other pair throws and leaves the state as it was.
@Suite("Ticket lifecycle")
struct TicketLifecycleTests {
    typealias State = TicketLifecycle.State
    typealias Event = TicketLifecycle.Event

    static let questions: [TicketLifecycle.Question?] = [nil, .location, .details]

    static let states: [State] = questions.map { State.open(waitingFor: $0) } + questions.map { State.accepted(waitingFor: $0) }
        + [.resolved] + Ticket.CloseReason.allCases.map { State.closed($0) }

    static let events: [Event] = [
        .staffStep, .handedOn, .done(residentConfirms: true), .done(residentConfirms: false), .confirmed, .reopened,
        .confirmationLapsed, .answered(.location, next: nil), .answered(.details, next: nil),
        .answered(.details, next: .location),
    ]

    /// The legal transitions, written out: (from, event) → to.
    static let legal: [Pair: State] = {
        var legal: [Pair: State] = [:]
        for question in questions {
            legal[Pair(.open(waitingFor: question), .staffStep)] = .accepted(waitingFor: question)
            legal[Pair(.accepted(waitingFor: question), .staffStep)] = .accepted(waitingFor: question)
            legal[Pair(.open(waitingFor: question), .handedOn)] = .open(waitingFor: question)
            legal[Pair(.accepted(waitingFor: question), .handedOn)] = .open(waitingFor: question)
            for working in [State.open(waitingFor: question), .accepted(waitingFor: question)] {
                legal[Pair(working, .done(residentConfirms: true))] = .resolved
                legal[Pair(working, .done(residentConfirms: false))] = .closed(.staff)
            }
        }
        legal[Pair(.resolved, .staffStep)] = .resolved
        legal[Pair(.resolved, .handedOn)] = .resolved
        legal[Pair(.resolved, .done(residentConfirms: true))] = .resolved
        legal[Pair(.resolved, .done(residentConfirms: false))] = .closed(.staff)
        legal[Pair(.resolved, .confirmed)] = .closed(.confirmed)
        legal[Pair(.resolved, .reopened)] = .accepted(waitingFor: nil)
        legal[Pair(.resolved, .confirmationLapsed)] = .closed(.unconfirmed)
        legal[Pair(.open(waitingFor: .location), .answered(.location, next: nil))] = .open(waitingFor: nil)
        legal[Pair(.accepted(waitingFor: .location), .answered(.location, next: nil))] = .accepted(waitingFor: nil)
        legal[Pair(.open(waitingFor: .details), .answered(.details, next: nil))] = .open(waitingFor: nil)
        legal[Pair(.accepted(waitingFor: .details), .answered(.details, next: nil))] = .accepted(waitingFor: nil)
        legal[Pair(.open(waitingFor: .details), .answered(.details, next: .location))] = .open(waitingFor: .location)
        legal[Pair(.accepted(waitingFor: .details), .answered(.details, next: .location))] = .accepted(waitingFor: .location)
        return legal
    }()

    struct Pair: Hashable, CustomTestStringConvertible {
        var state: State
        var event: Event
        init(_ state: State, _ event: Event) {
            self.state = state
            self.event = event
        }
        var testDescription: String { "\(state) + \(event)" }
    }

    static let allPairs: [Pair] = states.flatMap { state in events.map { Pair(state, $0) } }

    @Test("every state × every event: legal ones move as listed, the rest throw and change nothing", arguments: allPairs)
    func transition(pair: Pair) {
        var lifecycle = TicketLifecycle(pair.state)
        if let expected = Self.legal[pair] {
            #expect(throws: Never.self) { _ = try lifecycle.handle(pair.event) }
            #expect(lifecycle.state == expected)
        } else {
            #expect(throws: TicketLifecycle.IllegalTransition(state: pair.state, event: pair.event)) {
                _ = try lifecycle.handle(pair.event)
            }
            #expect(lifecycle.state == pair.state)
        }
    }

    @Test("the table covers the legal transitions it means to: 37 of 110 pairs")
    func tableSize() {
        #expect(Self.allPairs.count == 110)
        #expect(Self.legal.count == 37)
        #expect(Self.legal.keys.allSatisfy(Self.allPairs.contains))
    }

    @Test("each transition returns what the desk must write")
    func effects() throws {
        var done = TicketLifecycle(.accepted(waitingFor: .location))
        #expect(try done.handle(.done(residentConfirms: true)) == [.stampResolved, .timeline(.resolved), .tellResident("resident.resolved")])
        var patrol = TicketLifecycle(.open(waitingFor: nil))
        #expect(try patrol.handle(.done(residentConfirms: false)) == [.stampResolved, .stampClosed, .timeline(.resolved)])
        var confirmed = TicketLifecycle(.resolved)
        #expect(try confirmed.handle(.confirmed) == [.stampClosed, .timeline(.confirmed), .tellResident("resident.thanks")])
        var reopened = TicketLifecycle(.resolved)
        #expect(try reopened.handle(.reopened) == [
            .clearResolved, .countReopen, .flag(.reopened), .restartClock(.reply), .restartClock(.resolution),
            .timeline(.reopened), .tellResident("resident.reopened"),
        ])
        var lapsed = TicketLifecycle(.resolved)
        #expect(try lapsed.handle(.confirmationLapsed) == [
            .stampClosed, .flag(.unconfirmed), .timeline(.closed), .tellResident("resident.closed_unconfirmed"),
        ])
        var answered = TicketLifecycle(.open(waitingFor: .details))
        #expect(try answered.handle(.answered(.details, next: .location)) == [.timeline(.clarified)])
        var accepted = TicketLifecycle(.open(waitingFor: nil))
        #expect(try accepted.handle(.staffStep).isEmpty)

        let (opened, openEffects) = TicketLifecycle.opening(asking: .location, praise: false)
        #expect(opened.state == .open(waitingFor: .location))
        #expect(openEffects == [.restartClock(.firstResponse), .restartClock(.reply), .restartClock(.resolution)])
        let (praise, praiseEffects) = TicketLifecycle.opening(asking: .details, praise: true)
        #expect(praise.state == .closed(.acknowledged) && praiseEffects == [.stampClosed])
    }

    @Test("the stored columns: every state maps to its columns and back; contradictory old columns read as the nearest state")
    func storedColumns() {
        for state in Self.states {
            let lifecycle = TicketLifecycle(state)
            #expect(TicketLifecycle(status: lifecycle.status, awaiting: lifecycle.awaiting, closeReason: lifecycle.closeReason) == lifecycle)
        }
        #expect(TicketLifecycle(.resolved).awaiting == .confirmation)
        #expect(TicketLifecycle(.closed(.staff)).awaiting == nil)
        #expect(TicketLifecycle(status: .closed, awaiting: nil, closeReason: nil).state == .closed(.staff))
        #expect(TicketLifecycle(status: .open, awaiting: .confirmation, closeReason: .confirmed).state == .open(waitingFor: nil))
        #expect(TicketLifecycle(status: .resolved, awaiting: nil, closeReason: .unconfirmed).state == .resolved)
        #expect(TicketLifecycle(status: .closed, awaiting: .location, closeReason: .unconfirmed).state == .closed(.unconfirmed))
    }
}
