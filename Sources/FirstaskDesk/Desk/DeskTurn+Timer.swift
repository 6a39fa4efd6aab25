import FirstaskClassifier
import Foundation

/// The clocks: missed deadlines remind and escalate step by step, done tickets the resident never
/// confirmed close onto the callback list, and shifts nobody checked into alert the head.
extension DeskTurn {
    mutating func runClocks() throws {
        for var ticket in try tx.ticketsDue(at: now, limit: 500) {
            if ticket.lifecycle.state == .resolved {
                try closeUnconfirmed(&ticket)
            } else {
                try escalateMissed(&ticket)
            }
        }
        if policy.checkInRequired { try alertMissedCheckIns() }
    }

    mutating func closeUnconfirmed(_ ticket: inout Ticket) throws {
        try transition(&ticket, .confirmationLapsed, actor: "system",
                       text: "unconfirmed: no answer within \(Int(policy.confirmWithin / 3600)) h", channel: nil)
        result.closedUnconfirmed += 1
    }

    /// Takes every escalation step that has come due, one text per recipient per level however many
    /// deadlines the step covers (a ticket nobody touched misses its first-response and reply clocks together).
    mutating func escalateMissed(_ ticket: inout Ticket) throws {
        let steps = SlaClock.dueSteps(ticket, policy: policy, now: now)
        for level in Set(steps.map(\.level)).sorted() {
            let covered = steps.filter { $0.level == level }
            for step in covered { ticket.escalations[step.deadline] = level }
            ticket.flags.insert(.overdue)
            let due = covered.map(\.dueAt).min() ?? now
            var recipients: [Staff]
            let key: String
            switch level {
            case 1:
                recipients = [ticket.handler, ticket.firstResponder].compactMap { roster.member(id: $0) }
                key = "staff.reminder"
            case 2:
                recipients = [roster.head(of: ticket.department)].compactMap { $0 }
                key = "staff.overdue_head"
            default:
                recipients = roster.leaders
                key = "staff.overdue_leader"
            }
            var seen = Set<String>()
            recipients = recipients.filter { seen.insert($0.id).inserted && $0.id != ticket.conductSubject }
            let names = covered.map(\.deadline.rawValue).joined(separator: ",")
            try event(ticket.ref, actor: "system", level == 1 ? .reminded : .escalated,
                      "\(names) missed (due \(time(due, .en))) → \(recipients.map(\.id).joined(separator: ","))")
            for staff in recipients {
                let deadlines = covered.map { templates.render("deadline.\($0.deadline.rawValue)", staff.locale) }
                try tell(staff, key, about: ticket, [
                    "deadline": deadlines.joined(separator: templates.render("list.separator", staff.locale)),
                    "due": time(due, staff.locale),
                ])
            }
            result.escalations += 1
            result.escalationsByLevel[level, default: 0] += 1
            for step in covered where step.level == 1 { result.deadlinesMissed[step.deadline, default: 0] += 1 }
        }
        try save(&ticket)
    }

    /// A shift that began more than the grace period ago with nobody checked in alerts the department head
    /// once; until they check in, assignment skips them (`present`) and falls back to the head.
    mutating func alertMissedCheckIns() throws {
        let latest = now.addingTimeInterval(-policy.checkInGrace)
        let starts = roster.shiftStarts(from: latest.addingTimeInterval(-3600), to: latest)
        guard !starts.isEmpty else { return }
        let log = try tx.dutyLog(since: now.addingTimeInterval(-3 * 3600))
        for (shift, start) in starts {
            let checkedIn = log.contains { $0.kind == .checkIn && $0.staffID == shift.staffID && $0.at >= start.addingTimeInterval(-3600) }
            let alerted = log.contains { $0.kind == .missedCheckIn && $0.staffID == shift.staffID && $0.at >= start }
            guard !checkedIn, !alerted, let staff = roster.member(id: shift.staffID) else { continue }
            try tx.appendDutyLog(DutyLogEntry(at: now, staffID: staff.id, kind: .missedCheckIn,
                                              text: "\(shift.department.rawValue) shift from \(time(start, .en))"))
            if let head = roster.head(of: shift.department), head.id != staff.id {
                try tell(head, "staff.missed_check_in", about: nil, [
                    "staff": staff.name, "department": templates.render("department.\(shift.department.rawValue)", head.locale),
                    "start": time(start, head.locale),
                ])
            }
        }
    }
}
