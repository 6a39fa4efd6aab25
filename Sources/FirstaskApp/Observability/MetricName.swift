/// Every metric the gateway exports (README, "Operating"), with its Prometheus help text.
///
/// Labels hold only configured channel ids, label values of the classifier (category, severity), deadline
/// names, escalation levels, bounded reason codes and versions: never a phone number, a text or a token.
public enum MetricName: String, CaseIterable, Sendable {
    case inboundReceived = "firstask_inbound_received_total"
    case inboundRejected = "firstask_inbound_rejected_total"
    case inboundDuplicates = "firstask_inbound_duplicates_total"
    case inboundThrottled = "firstask_inbound_throttled_total"
    case ticketsOpened = "firstask_tickets_opened_total"
    case outboxPending = "firstask_outbox_pending"
    case outboxOldestPending = "firstask_outbox_oldest_pending_seconds"
    case outboxSent = "firstask_outbox_sent_total"
    case outboxDead = "firstask_outbox_dead_total"
    case sendDuration = "firstask_send_duration_seconds"
    case classifyDuration = "firstask_classify_duration_seconds"
    case pollErrors = "firstask_poll_errors_total"
    case pollAge = "firstask_poll_last_success_age_seconds"
    case slaBreaches = "firstask_sla_breaches_total"
    case escalations = "firstask_escalations_total"
    case buildInfo = "firstask_build_info"
    case rulesInfo = "firstask_rules_info"

    public var help: String {
        switch self {
        case .inboundReceived: "New inbound messages stored, per channel (throttled ones included, duplicates not)."
        case .inboundRejected: "Inbound items that could not be read as messages, per channel and reason code."
        case .inboundDuplicates: "Inbound messages delivered again by a channel and ignored, per channel."
        case .inboundThrottled: "Inbound messages stored as throttled by flood protection, per channel."
        case .ticketsOpened: "Tickets opened, per category and severity."
        case .outboxPending: "Outbox rows waiting to be sent, per channel."
        case .outboxOldestPending: "Age of the oldest pending outbox row, per channel (0 when none waits)."
        case .outboxSent: "Texts the channel accepted, per channel."
        case .outboxDead: "Texts given up as dead letters, per channel."
        case .sendDuration: "Time until the channel answered the dispatcher round that carried a text, one observation per text and channel."
        case .classifyDuration: "Time the classifier took to read one message."
        case .pollErrors: "Polls of a channel that failed (the channel or the store), per channel."
        case .pollAge: "Seconds since the last successful poll of a polled channel (-1 before the first one)."
        case .slaBreaches: "Ticket deadlines missed, per clock (first_response, reply, resolution); each deadline once."
        case .escalations: "Escalation steps taken, per level (reminder, head, leadership)."
        case .buildInfo: "Always 1; the version label is this build's."
        case .rulesInfo: "Always 1; the version label is the rules version in force."
        }
    }
}
