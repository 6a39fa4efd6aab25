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

    /// The short reference residents and staff type (`T0042`).
    public var ref: String
    public var status: Status
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

    public init(
        ref: String, status: Status = .open, intent: Intent, category: Category, department: Department,
        severity: Severity, location: Location?, resident: String, channel: String, locale: ReplyLocale,
        text: String, firstResponder: String, handler: String, rulesVersion: String, createdAt: Date,
        firstResponseAt: Date? = nil, promisedReplyAt: Date? = nil, resolvedAt: Date? = nil,
        closedAt: Date? = nil, satisfaction: Int? = nil
    ) {
        self.ref = ref
        self.status = status
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
    }

    /// The reference for ticket number `number`: `T` and at least four digits.
    public static func ref(number: Int) -> String {
        let digits = String(number)
        return "T" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
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
