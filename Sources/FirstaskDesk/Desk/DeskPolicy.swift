import FirstaskClassifier
import Foundation

/// The desk's tunable promises and thresholds, from the `desk` section of the configuration.
/// Every value has a sensible default, so an empty section is a working desk.
public struct DeskPolicy: Sendable, Equatable {
    /// How long staff have for each of a ticket's three clocks.
    public struct Deadlines: Sendable, Equatable {
        public var firstResponse: TimeInterval
        public var reply: TimeInterval
        public var resolution: TimeInterval

        public init(firstResponse: TimeInterval, reply: TimeInterval, resolution: TimeInterval) {
            self.firstResponse = firstResponse
            self.reply = reply
            self.resolution = resolution
        }

        public subscript(deadline: Deadline) -> TimeInterval {
            get {
                switch deadline {
                case .firstResponse: firstResponse
                case .reply: reply
                case .resolution: resolution
                }
            }
            set {
                switch deadline {
                case .firstResponse: firstResponse = newValue
                case .reply: reply = newValue
                case .resolution: resolution = newValue
                }
            }
        }
    }

    /// Deadlines per severity.
    public var deadlines: [Severity: Deadlines]
    /// Per-category replacements for some severities (fees may take a week to resolve; a lift must not).
    public var categoryDeadlines: [Category: [Severity: Deadlines]]
    /// After a missed deadline, how long each escalation step waits before the next
    /// (handler reminded → department head → company leadership).
    public var escalationStep: [Severity: TimeInterval]
    /// A second report of the same problem (same place and category) within this window links to the open
    /// ticket instead of opening a new one.
    public var repeatWindow: TimeInterval
    /// Reports before this one that make a problem major (docs/LABELS.md: "reported two or more times before").
    public var repeatsForMajor: Int
    /// How long a resident has to confirm a done ticket before it closes as unconfirmed.
    public var confirmWithin: TimeInterval
    /// Transfers beyond this count are buck-passing: flagged and escalated to the head.
    public var maxTransfers: Int
    /// Local times during which non-urgent texts to residents wait; `nil` sends at once.
    public var quietHours: QuietHours?
    /// Whether staff must check in to count as present on their shift.
    public var checkInRequired: Bool
    /// How long after a shift starts a missing check-in is alerted and routed around.
    public var checkInGrace: TimeInterval
    /// Below this classifier confidence, a message that names no category gets a clarifying question.
    public var clarifyBelow: Double

    public init(
        deadlines: [Severity: Deadlines] = DeskPolicy.defaultDeadlines,
        categoryDeadlines: [Category: [Severity: Deadlines]] = [:],
        escalationStep: [Severity: TimeInterval] = DeskPolicy.defaultEscalationStep,
        repeatWindow: TimeInterval = 7 * 86_400, repeatsForMajor: Int = 2, confirmWithin: TimeInterval = 48 * 3600,
        maxTransfers: Int = 2, quietHours: QuietHours? = nil, checkInRequired: Bool = false,
        checkInGrace: TimeInterval = 15 * 60, clarifyBelow: Double = 0.25
    ) {
        self.deadlines = deadlines
        self.categoryDeadlines = categoryDeadlines
        self.escalationStep = escalationStep
        self.repeatWindow = repeatWindow
        self.repeatsForMajor = repeatsForMajor
        self.confirmWithin = confirmWithin
        self.maxTransfers = maxTransfers
        self.quietHours = quietHours
        self.checkInRequired = checkInRequired
        self.checkInGrace = checkInGrace
        self.clarifyBelow = clarifyBelow
    }

    /// Emergencies: respond in 5 minutes, reply in 15, fixed in 4 hours. Major complaints: 15 minutes,
    /// 1 hour, 24 hours. Everything else: 30 minutes, 4 hours, 72 hours.
    public static let defaultDeadlines: [Severity: Deadlines] = [
        .emergency: Deadlines(firstResponse: 5 * 60, reply: 15 * 60, resolution: 4 * 3600),
        .major: Deadlines(firstResponse: 15 * 60, reply: 3600, resolution: 24 * 3600),
        .general: Deadlines(firstResponse: 30 * 60, reply: 4 * 3600, resolution: 72 * 3600),
    ]

    /// 10 minutes between steps for emergencies, 30 for major complaints, 2 hours otherwise.
    public static let defaultEscalationStep: [Severity: TimeInterval] = [
        .emergency: 10 * 60, .major: 30 * 60, .general: 2 * 3600,
    ]

    public func deadlines(for severity: Severity, category: Category) -> Deadlines {
        categoryDeadlines[category]?[severity] ?? deadlines[severity] ?? DeskPolicy.defaultDeadlines[severity]!
    }

    public func step(for severity: Severity) -> TimeInterval {
        escalationStep[severity] ?? DeskPolicy.defaultEscalationStep[severity]!
    }
}

/// A daily quiet period in local time (`22:00`–`07:30`); it may cross midnight.
public struct QuietHours: Sendable, Equatable {
    /// Minutes after local midnight.
    public var start: Int
    public var end: Int

    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }

    /// When a text due at `date` may go out: `date` itself outside quiet hours, else the end of them.
    public func release(_ date: Date, calendar: Calendar) -> Date {
        let parts = calendar.dateComponents([.hour, .minute, .second], from: date)
        let minute = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        let quiet = start < end ? (minute >= start && minute < end) : (minute >= start || minute < end)
        guard quiet, start != end else { return date }
        let startOfDay = calendar.startOfDay(for: date)
        var release = calendar.date(byAdding: .minute, value: end, to: startOfDay) ?? date
        if release <= date { release = calendar.date(byAdding: .day, value: 1, to: release) ?? date }
        return release
    }
}
