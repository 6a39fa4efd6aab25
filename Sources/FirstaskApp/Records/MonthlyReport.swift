import FirstaskClassifier
import FirstaskDesk
import Foundation

/// The monthly summary the complaint procedure asks for (每月汇总): counts, response and resolution times,
/// deadlines, satisfaction, per-first-responder figures, conduct complaints, repeat problem places, the duty
/// and patrol summary, and the callback list. Pure: built from values, rendered by the `MonthlyReport+…` renderers.
///
/// Every figure is over the tickets **opened** in the month (in the roster's time zone), as they stood at `asOf`.
public struct MonthlyReport: Sendable {
    /// A ticket with its timeline, as the store returns it.
    public struct Entry: Sendable {
        public var ticket: Ticket
        public var events: [TicketEvent]
        public init(ticket: Ticket, events: [TicketEvent]) {
            self.ticket = ticket
            self.events = events
        }
    }

    /// Median and 90th percentile of a duration, over `count` tickets.
    public struct DurationStats: Sendable, Equatable {
        public var count: Int
        public var median: TimeInterval?
        public var p90: TimeInterval?

        public init(_ seconds: [TimeInterval]) {
            count = seconds.count
            median = Percentile.median(seconds)
            p90 = Percentile.of(seconds, 0.9)
        }
    }

    /// How many decided deadlines (met or missed; still running ones are left out) were met.
    public struct DeadlineRate: Sendable, Equatable {
        public var met: Int
        public var decided: Int
        public init(met: Int, decided: Int) {
            self.met = met
            self.decided = decided
        }
        public var rate: Double? { decided == 0 ? nil : Double(met) / Double(decided) }
    }

    public struct Satisfaction: Sendable, Equatable {
        public var rated: Int
        public var mean: Double?
        /// Tickets per rating; index 0 is rating 1, index 4 rating 5.
        public var distribution: [Int]
    }

    /// One first responder's month.
    public struct ResponderRow: Sendable, Equatable {
        public var staffID: String
        public var name: String?
        public var tickets: Int
        public var medianFirstResponse: TimeInterval?
        public var medianResolution: TimeInterval?
        public var meanSatisfaction: Double?
        public var rated: Int
        public var reopened: Int
        public var overdue: Int
    }

    /// A complaint about staff conduct (服务态度).
    public struct ConductRow: Sendable, Equatable {
        public var ref: String
        public var createdAt: Date
        public var subjectID: String?
        public var subjectName: String?
        public var department: Department
        public var text: String
        public var status: Ticket.Status
        public var severity: Severity
    }

    /// A place and category with more than one report in the month.
    public struct RepeatedPlace: Sendable, Equatable {
        public var place: String
        public var category: Category
        public var refs: [String]
        /// Further reports folded into those tickets (`repeatCount`).
        public var repeatReports: Int
    }

    public struct PatrolSummary: Sendable, Equatable {
        public var patrols: Int
        public var abnormal: Int
        public var places: Int
        public var checkIns: Int
        public var handovers: Int
        public var missedCheckIns: Int
        public var nobodyOnDuty: Int
        /// Abnormal patrol findings and duty alerts (missed check-ins, nobody on duty), oldest first.
        public var findings: [DutyLogEntry]
    }

    public struct Callback: Sendable, Equatable {
        public var ref: String
        /// The resident's address in full: the list exists to call them.
        public var contact: String
        public var channel: String
        public var category: Category
        public var severity: Severity
        public var place: String
        public var firstResponder: String
        public var firstResponderName: String?
        public var satisfaction: Int?
        public var reasons: [CallbackReason]
        /// The last callback already recorded on the ticket, if staff did one.
        public var lastCallback: String?
    }

    public var month: ReportMonth
    public var asOf: Date
    public var tickets: Int
    public var open: Int
    public var closed: Int
    public var bySource: [(Ticket.Source, Int)]
    public var byIntent: [(Intent, Int)]
    public var byCategory: [(Category, Int)]
    public var byDepartment: [(Department, Int)]
    public var bySeverity: [(Severity, Int)]
    public var firstResponse: DurationStats
    public var resolution: DurationStats
    public var firstResponseDeadline: DeadlineRate
    public var resolutionDeadline: DeadlineRate
    public var satisfaction: Satisfaction
    public var reopened: Int
    public var responders: [ResponderRow]
    public var conduct: [ConductRow]
    public var repeatedPlaces: [RepeatedPlace]
    public var patrol: PatrolSummary
    public var callbacks: [Callback]
    /// Names of the staff on the roster by id, for the duty log lines.
    public var staffNames: [String: String]
    public var callbackSample: Double
    public var seed: UInt64

    /// The seed used when none is given: the month itself (`202611`), so a report run twice picks the same sample.
    public static func defaultSeed(_ month: ReportMonth) -> UInt64 { UInt64(month.year * 100 + month.month) }

    /// Builds the report for `month` from every stored ticket (those opened in other months are ignored), the
    /// roster (names) and the duty log entries of the month.
    ///
    /// `callbackSample` (0…1) is the share of the closed tickets not already on the callback list that are drawn
    /// for a routine callback; which ones depends only on `seed` and the refs, never on input order.
    public static func build(
        month: ReportMonth, entries: [Entry], roster: Roster, dutyLog: [DutyLogEntry], asOf: Date,
        callbackSample: Double, seed: UInt64
    ) -> MonthlyReport {
        let entries = entries.filter { month.contains($0.ticket.createdAt) }.sorted { ($0.ticket.createdAt, $0.ticket.ref) < ($1.ticket.createdAt, $1.ticket.ref) }
        let tickets = entries.map(\.ticket)

        func counts<T: CaseIterable & Equatable>(_ all: T.AllCases, _ key: (Ticket) -> T) -> [(T, Int)] {
            // Most frequent first; ties keep the declaration order.
            all.enumerated().map { index, value in (index, value, tickets.filter { key($0) == value }.count) }
                .filter { $0.2 > 0 }.sorted { ($0.2, $1.0) > ($1.2, $0.0) }.map { ($0.1, $0.2) }
        }

        let firstResponseTimes = tickets.compactMap { ticket in ticket.firstResponseAt.map { $0.timeIntervalSince(ticket.createdAt) } }
        let resolutionTimes = tickets.compactMap(resolutionTime)

        var firstRate = DeadlineRate(met: 0, decided: 0)
        var resolutionRate = DeadlineRate(met: 0, decided: 0)
        for entry in entries {
            let checks = DeadlineCheck.all(for: entry.ticket, events: entry.events, asOf: asOf)
            for check in checks {
                guard check.outcome == .met || check.outcome == .missed else { continue }
                let met = check.outcome == .met ? 1 : 0
                switch check.deadline {
                case .firstResponse: firstRate.met += met; firstRate.decided += 1
                case .resolution: resolutionRate.met += met; resolutionRate.decided += 1
                case .reply: break
                }
            }
        }

        let ratings = tickets.compactMap(\.satisfaction).filter { (1...5).contains($0) }
        let satisfaction = Satisfaction(
            rated: ratings.count, mean: mean(ratings.map(Double.init)),
            distribution: (1...5).map { rating in ratings.filter { $0 == rating }.count })

        var responderOrder: [String] = []
        var byResponder: [String: [Ticket]] = [:]
        for ticket in tickets {
            if byResponder[ticket.firstResponder] == nil { responderOrder.append(ticket.firstResponder) }
            byResponder[ticket.firstResponder, default: []].append(ticket)
        }
        let responders = responderOrder.map { id -> ResponderRow in
            let own = byResponder[id] ?? []
            let ratings = own.compactMap(\.satisfaction).map(Double.init)
            return ResponderRow(
                staffID: id, name: roster.member(id: id)?.name, tickets: own.count,
                medianFirstResponse: Percentile.median(own.compactMap { t in t.firstResponseAt.map { $0.timeIntervalSince(t.createdAt) } }),
                medianResolution: Percentile.median(own.compactMap(resolutionTime)),
                meanSatisfaction: mean(ratings), rated: ratings.count,
                reopened: own.filter(wasReopened).count, overdue: own.filter { $0.flags.contains(.overdue) }.count)
        }.sorted { ($0.tickets, $1.staffID) > ($1.tickets, $0.staffID) }

        let conduct = tickets.filter { $0.category == .staffConduct || $0.flags.contains(.conduct) }.map { ticket in
            ConductRow(ref: ticket.ref, createdAt: ticket.createdAt, subjectID: ticket.conductSubject,
                       subjectName: ticket.conductSubject.flatMap { roster.member(id: $0)?.name },
                       department: ticket.department, text: ticket.text, status: ticket.status, severity: ticket.severity)
        }

        return MonthlyReport(
            month: month, asOf: asOf, tickets: tickets.count, open: tickets.filter { $0.status.isOpen }.count,
            closed: tickets.filter { !$0.status.isOpen }.count,
            bySource: counts(Ticket.Source.allCases, \.source), byIntent: counts(Intent.allCases, \.intent),
            byCategory: counts(Category.allCases, \.category), byDepartment: counts(Department.allCases, \.department),
            bySeverity: Severity.allCases.reversed().map { s in (s, tickets.filter { $0.severity == s }.count) },
            firstResponse: DurationStats(firstResponseTimes), resolution: DurationStats(resolutionTimes),
            firstResponseDeadline: firstRate, resolutionDeadline: resolutionRate, satisfaction: satisfaction,
            reopened: tickets.filter(wasReopened).count, responders: responders, conduct: conduct,
            repeatedPlaces: repeatedPlaces(tickets),
            patrol: patrolSummary(dutyLog.filter { month.contains($0.at) }),
            callbacks: callbackList(entries, roster: roster, sample: callbackSample, seed: seed),
            staffNames: Dictionary(roster.staff.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first }),
            callbackSample: callbackSample, seed: seed)
    }

    /// From opening until marked done; a reopened ticket counts only once done again.
    static func resolutionTime(_ ticket: Ticket) -> TimeInterval? {
        ticket.resolvedAt.map { $0.timeIntervalSince(ticket.createdAt) }
    }

    static func wasReopened(_ ticket: Ticket) -> Bool { ticket.reopenCount > 0 || ticket.flags.contains(.reopened) }

    static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// Same place and category on two or more tickets, or a ticket that others reported again (`repeatCount > 0`).
    static func repeatedPlaces(_ tickets: [Ticket]) -> [RepeatedPlace] {
        struct Key: Hashable {
            var location: Location
            var category: Category
        }
        var order: [Key] = []
        var groups: [Key: [Ticket]] = [:]
        for ticket in tickets {
            guard let location = ticket.location, !location.display.isEmpty else { continue }
            let key = Key(location: location, category: ticket.category)
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(ticket)
        }
        return order.compactMap { key in
            let group = groups[key] ?? []
            let repeats = group.reduce(0) { $0 + $1.repeatCount }
            guard group.count >= 2 || repeats > 0 else { return nil }
            return RepeatedPlace(place: key.location.display, category: key.category, refs: group.map(\.ref), repeatReports: repeats)
        }.sorted { ($0.refs.count + $0.repeatReports) > ($1.refs.count + $1.repeatReports) }
    }

    static func patrolSummary(_ log: [DutyLogEntry]) -> PatrolSummary {
        let patrols = log.filter { $0.kind == .patrol }
        return PatrolSummary(
            patrols: patrols.count, abnormal: patrols.filter(\.abnormal).count,
            places: Set(patrols.compactMap(\.place)).count,
            checkIns: log.filter { $0.kind == .checkIn }.count, handovers: log.filter { $0.kind == .handover }.count,
            missedCheckIns: log.filter { $0.kind == .missedCheckIn }.count,
            nobodyOnDuty: log.filter { $0.kind == .nobodyOnDuty }.count,
            findings: log.filter { ($0.kind == .patrol && $0.abnormal) || $0.kind == .missedCheckIn || $0.kind == .nobodyOnDuty }
                .sorted { $0.at < $1.at })
    }

    /// Every major, emergency, unconfirmed, low-rated (≤ 2) or reopened ticket with a resident, then
    /// `ceil(sample × n)` of the `n` other closed ones, drawn by `CallbackSampler`. Patrol findings have no
    /// resident and praise needs no callback; both are left out. Ordered by ref.
    static func callbackList(_ entries: [Entry], roster: Roster, sample: Double, seed: UInt64) -> [Callback] {
        var chosen: [(Entry, [CallbackReason])] = []
        var rest: [Entry] = []
        for entry in entries {
            let ticket = entry.ticket
            guard ticket.source != .patrol, ticket.intent != .praise || ticket.severity > .general else { continue }
            var reasons: [CallbackReason] = []
            if ticket.severity == .major { reasons.append(.major) }
            if ticket.severity == .emergency { reasons.append(.emergency) }
            if ticket.closeReason == .unconfirmed || ticket.flags.contains(.unconfirmed) { reasons.append(.unconfirmed) }
            if let rating = ticket.satisfaction, rating <= 2 { reasons.append(.lowRating) }
            if wasReopened(ticket) { reasons.append(.reopened) }
            if !reasons.isEmpty {
                chosen.append((entry, reasons))
            } else if ticket.status == .closed {
                rest.append(entry)
            }
        }
        let drawn = CallbackSampler.draw(rest.map(\.ticket.ref), share: sample, seed: seed)
        chosen += rest.filter { drawn.contains($0.ticket.ref) }.map { ($0, [.sample]) }
        return chosen.map { entry, reasons in
            let ticket = entry.ticket
            return Callback(
                ref: ticket.ref, contact: ticket.resident, channel: ticket.channel, category: ticket.category,
                severity: ticket.severity, place: RecordFormat.place(ticket.location), firstResponder: ticket.firstResponder,
                firstResponderName: roster.member(id: ticket.firstResponder)?.name, satisfaction: ticket.satisfaction,
                reasons: reasons, lastCallback: entry.events.last { $0.kind == .callback }?.text)
        }.sorted { $0.ref < $1.ref }
    }
}
