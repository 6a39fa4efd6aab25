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

    /// `staff.dead_letter` from the prompts, or a built-in text when the prompts do not have the key.
    static func text(_ templates: Templates?, _ locale: ReplyLocale, _ values: [String: String]) -> String {
        let key = "staff.dead_letter"
        if let templates {
            let rendered = templates.render(key, locale, values)
            if rendered != key { return rendered }
        }
        let fallback = switch locale {
        case .en: "[Undelivered] {count} text(s) on channel {channel} could not be sent (tickets {tickets}): {error}. Please contact the residents another way."
        case .zhHant: "【發送失敗】通道 {channel} 有 {count} 條短信無法發出（工單 {tickets}）：{error}。請改用其他方式聯繫住戶。"
        default: "【发送失败】通道 {channel} 有 {count} 条短信无法发出（工单 {tickets}）：{error}。请改用其他方式联系住户。"
        }
        return Templates([locale: [key: fallback]]).render(key, locale, values)
    }
}
