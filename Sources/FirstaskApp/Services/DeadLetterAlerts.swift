import FirstaskClassifier
import FirstaskDesk
import Foundation

/// Who is told when texts are given up as dead letters, and on which channel: pure planning for the dispatcher.
///
/// The on-duty staff of the service centre (the department head when nobody is on duty) get one alert per
/// failing channel and dispatcher round, naming how many texts died, their tickets and the last error. The
/// alert goes on the staff member's own roster channel if that is not the failing one, else on the first
/// channel of `preference` that is not failing, and on the failing channel only when there is no other.
/// Alerts about alerts are never raised (their ids start with `dl-`), so a dead channel cannot cause a storm.
public enum DeadLetterAlerts {
    public static let idPrefix = "dl-"

    /// The alert rows for `dead` texts (all on `channel`). Ids derive from the first dead row's id, so a round
    /// repeated after a crash enqueues the same rows again, which the outbox ignores.
    public static func plan(
        dead: [(message: OutboundMessage, error: String)], channel: String, roster: Roster, preference: [String],
        templates: Templates?, now: Date
    ) -> [OutboundMessage] {
        let worth = dead.filter { !$0.message.id.hasPrefix(idPrefix) }
        guard let first = worth.first else { return [] }
        var recipients = roster.onDuty(.service, at: now)
        if recipients.isEmpty, let head = roster.head(of: .service) { recipients = [head] }
        let tickets = Array(Set(worth.compactMap(\.message.ticketRef))).sorted()
        let others = preference.filter { $0 != channel }
        return recipients.enumerated().map { index, staff in
            let via: String = if let own = staff.channel, own != channel { own } else { others.first ?? channel }
            let values = [
                "channel": channel, "count": String(worth.count),
                "tickets": tickets.isEmpty ? "-" : tickets.prefix(10).joined(separator: ", "),
                "error": String(worth.last!.error.prefix(160)),
            ]
            return OutboundMessage(id: "\(idPrefix)\(first.message.id)-\(index)", channel: via, to: staff.address,
                                   text: text(templates, staff.locale, values), ticketRef: nil, nextAttemptAt: now, createdAt: now)
        }
    }

    /// `staff.dead_letter` from the prompts (a required template in every locale).
    static func text(_ templates: Templates?, _ locale: ReplyLocale, _ values: [String: String]) -> String {
        templates?.render("staff.dead_letter", locale, values)
            ?? "[undelivered] \(values["count"] ?? "?") text(s) on channel \(values["channel"] ?? "?") (tickets \(values["tickets"] ?? "-")): \(values["error"] ?? "")"
    }
}
