import Foundation

/// One line of the duty log (值班记录): check-ins and check-outs, shift handovers, patrols, and the
/// alerts the desk raised about the roster.
public struct DutyLogEntry: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case checkIn = "check_in"
        case checkOut = "check_out"
        /// A shift handed over, with notes for the next person.
        case handover
        /// A patrol of a place; `abnormal` entries open a ticket.
        case patrol
        /// Nobody checked into a shift in time; the head was alerted (`text` names the shift).
        case missedCheckIn = "missed_check_in"
        /// Nobody was on duty for a department when a ticket needed someone.
        case nobodyOnDuty = "nobody_on_duty"
    }

    public var at: Date
    /// The staff member it is about (the one checking in, patrolling, or absent).
    public var staffID: String
    public var kind: Kind
    /// The place patrolled.
    public var place: String?
    /// The patrol result, handover notes, or what the alert was about.
    public var text: String
    /// For a patrol entry: whether it found something wrong.
    public var abnormal: Bool
    /// The ticket an abnormal patrol opened.
    public var ticketRef: String?

    public init(
        at: Date, staffID: String, kind: Kind, place: String? = nil, text: String = "", abnormal: Bool = false,
        ticketRef: String? = nil
    ) {
        self.at = at
        self.staffID = staffID
        self.kind = kind
        self.place = place
        self.text = text
        self.abnormal = abnormal
        self.ticketRef = ticketRef
    }
}
