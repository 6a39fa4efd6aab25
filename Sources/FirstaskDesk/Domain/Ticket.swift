import FirstaskClassifier
import Foundation

/// A resident's matter, from the first message until the resident is satisfied.
///
/// The first responder (首问责任人) is fixed when the ticket opens and never changes; the handler is
/// the person in the routed department working on it and may change on transfer.
public struct Ticket: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        /// Opened; nobody in the department has accepted it yet.
        case open
        /// The handler accepted it and is working on it.
        case accepted
        /// Staff marked it done; waiting for the resident to confirm.
        case resolved
        /// Finished.
        case closed

        public var isOpen: Bool { self != .closed }
    }

    /// Where the matter came from.
    public enum Source: String, Sendable, Codable, CaseIterable {
        /// A resident's text message.
        case text
        /// An abnormal entry in a staff patrol log (`巡查 水泵房 漏水`).
        case patrol
        /// A written complaint (书面投诉) registered through the admin API; needs a written reply to close.
        case written
    }

    /// Marks that put a ticket on the manager's radar and the monthly report.
    public enum Flag: String, Sendable, Codable, CaseIterable, Comparable {
        /// Reported again for the same place and category while open.
        case repeated
        /// Handed on too often, or bounced back to a department that already had it.
        case buckPassing = "buck_passing"
        /// About a staff member's conduct: kept away from that person.
        case conduct
        /// Closed without the resident confirming: on the callback list.
        case unconfirmed
        /// The resident said it was not solved after staff marked it done.
        case reopened
        /// Nobody was on duty when it opened; the head was given it.
        case nobodyOnDuty = "nobody_on_duty"
        /// A deadline was missed.
        case overdue

        public static func < (lhs: Flag, rhs: Flag) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// What the gateway last asked the resident and is waiting for an answer to.
    public enum Question: String, Sendable, Codable {
        /// Where the problem is (a repair without a flat number).
        case location
        /// What the problem is: the classifier could not tell (a problem with no category, or low confidence).
        case details
        /// Whether the problem is solved, and a rating 1–5.
        case confirmation
    }

    /// How a closed ticket ended.
    public enum CloseReason: String, Sendable, Codable, CaseIterable {
        /// The resident confirmed it solved.
        case confirmed
        /// The resident did not answer in time; it goes on the callback list.
        case unconfirmed
        /// Closed by staff with no resident to confirm (a patrol finding).
        case staff
        /// Praise: recorded and passed on, nothing to work.
        case acknowledged
    }

    /// Another resident who reported the same problem while this ticket was open; told when it is done.
    public struct Reporter: Sendable, Codable, Equatable {
        public var address: String
        public var channel: String
        public var locale: ReplyLocale
        public init(address: String, channel: String, locale: ReplyLocale) {
            self.address = address
            self.channel = channel
            self.locale = locale
        }
    }

    /// The short reference residents and staff type (`T0042`).
    public var ref: String
    /// Whether staff have it, what the desk waits for, how it closed: changed only through its transitions.
    public var lifecycle: TicketLifecycle
    public var status: Status { lifecycle.status }
    public var intent: Intent
    public var category: Category
    public var department: Department
    public var severity: Severity
    public var location: Location?
    /// The resident's address on `channel`.
    public var resident: String
    public var channel: String
    public var locale: ReplyLocale
    /// The resident's first words, verbatim, so nothing is distorted between departments.
    public var text: String
    /// Staff id of the first responder.
    public var firstResponder: String
    /// Staff id of the current handler.
    public var handler: String
    /// The version (hash) of the rules that classified the first message.
    public var rulesVersion: String
    public var createdAt: Date
    public var firstResponseAt: Date?
    public var promisedReplyAt: Date?
    public var resolvedAt: Date?
    public var closedAt: Date?
    /// The resident's rating, 1–5.
    public var satisfaction: Int?

    public var source: Source = .text
    public var flags: Set<Flag> = []
    /// The question the gateway asked the resident and waits on, if any.
    public var awaiting: Question? { lifecycle.awaiting }
    /// Departments that have held the ticket, in order (the first is the one it was routed to).
    public var departments: [Department] = []
    /// How many times the handler was changed by a transfer.
    public var transferCount = 0
    /// How many times the resident said "not solved".
    public var reopenCount = 0
    /// Further reports of the same problem (same place and category) while open.
    public var repeatCount = 0
    public var coReporters: [Reporter] = []
    /// At most this many co-reporters are kept (and told when it is fixed); further repeats are counted only.
    public static let maxCoReporters = 50
    /// Staff paged to help (an emergency's control room, the security patrol sent to check): may add notes.
    public var helpers: [String] = []
    /// For a conduct complaint: the staff id it is about, when the resident named them.
    public var conductSubject: String?
    /// Deadline for the first staff response (accept, reply or any step).
    public var firstResponseDueAt: Date?
    /// Deadline for marking it done.
    public var resolutionDueAt: Date?
    /// The last time staff replied to the resident (a relayed reply, or done).
    public var lastReplyAt: Date?
    /// When the current reply promise was made (the opening, or a staff `promise`): a reply after this
    /// keeps the promise.
    public var promiseMadeAt: Date?
    /// Escalation steps reached per missed deadline: 1 handler and first responder reminded, 2 department
    /// head told, 3 company leadership told.
    public var escalations: [Deadline: Int] = [:]
    /// When the desk's timer must look at this ticket next (a deadline, an escalation step, the
    /// confirmation window); `nil` when nothing is pending.
    public var nextCheckAt: Date?
    /// A written complaint's register number (书面投诉登记号).
    public var register: String?
    public var writtenReplyAt: Date?
    /// What the resident said when confirming or reopening: their opinion, for the record.
    public var opinion: String?
    public var closeReason: CloseReason? { lifecycle.closeReason }
    /// What the classifier read when the ticket opened (or when the resident's answer made it classify the
    /// ticket anew); `nil` on tickets stored before readings were kept. Staff corrections are measured against it.
    public var reading: ClassifierReading?

    public init(
        ref: String, lifecycle: TicketLifecycle = TicketLifecycle(), intent: Intent, category: Category, department: Department,
        severity: Severity, location: Location?, resident: String, channel: String, locale: ReplyLocale,
        text: String, firstResponder: String, handler: String, rulesVersion: String, createdAt: Date,
        firstResponseAt: Date? = nil, promisedReplyAt: Date? = nil, resolvedAt: Date? = nil,
        closedAt: Date? = nil, satisfaction: Int? = nil
    ) {
        self.ref = ref
        self.lifecycle = lifecycle
        self.intent = intent
        self.category = category
        self.department = department
        self.severity = severity
        self.location = location
        self.resident = resident
        self.channel = channel
        self.locale = locale
        self.text = text
        self.firstResponder = firstResponder
        self.handler = handler
        self.rulesVersion = rulesVersion
        self.createdAt = createdAt
        self.firstResponseAt = firstResponseAt
        self.promisedReplyAt = promisedReplyAt
        self.resolvedAt = resolvedAt
        self.closedAt = closedAt
        self.satisfaction = satisfaction
        self.departments = [department]
    }

    /// The highest escalation step reached for any deadline (0 when none was missed).
    public var escalation: Int { escalations.values.max() ?? 0 }

    /// Whether `staffID` is the first responder or the handler.
    public func isOwned(by staffID: String) -> Bool {
        staffID == firstResponder || staffID == handler
    }

    /// The reference for ticket number `number`: `T` and at least four digits.
    public static func ref(number: Int) -> String {
        let digits = String(number)
        return "T" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

/// The three clocks every ticket runs against (configurable per severity and category).
public enum Deadline: String, Sendable, Codable, CaseIterable, CodingKeyRepresentable {
    /// Someone on staff responds at all (accepts, replies, any step).
    case firstResponse = "first_response"
    /// The resident hears back by the promised time.
    case reply
    /// The work is marked done.
    case resolution
}

/// One entry on a ticket's timeline: who did what, when, by which channel.
public struct TicketEvent: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        case opened
        case residentMessage = "resident_message"
        case assigned
        case accepted
        case staffReply = "staff_reply"
        case note
        case resolved
        case closed
        /// A further report of the same problem by this or another resident.
        case repeatReport = "repeat_report"
        /// The gateway asked the resident something (location, which ticket, confirmation).
        case question
        /// The resident's answer completed the ticket (e.g. the location).
        case clarified
        case promised
        case transferred
        case escalated
        case reminded
        case flagged
        /// Staff paged at once (emergency), or the patrol sent to check the spot.
        case paged
        case confirmed
        case reopened
        /// The outcome of a callback (回访) to the resident.
        case callback
        /// The written reply to a written complaint.
        case writtenReply = "written_reply"
        /// Staff corrected the labels (severity, category, department) the classifier gave it.
        case corrected
    }

    public var ticketRef: String
    public var at: Date
    /// `resident`, a staff id, or `system`.
    public var actor: String
    public var kind: Kind
    public var text: String
    /// The channel it happened on, if it came by text.
    public var channel: String?

    public init(ticketRef: String, at: Date, actor: String, kind: Kind, text: String, channel: String? = nil) {
        self.ticketRef = ticketRef
        self.at = at
        self.actor = actor
        self.kind = kind
        self.text = text
        self.channel = channel
    }
}

/// Which tickets a listing wants.
public enum TicketFilter: String, Sendable, CaseIterable {
    case open, closed, all

    public func includes(_ status: Ticket.Status) -> Bool {
        switch self {
        case .open: status.isOpen
        case .closed: !status.isOpen
        case .all: true
        }
    }
}
