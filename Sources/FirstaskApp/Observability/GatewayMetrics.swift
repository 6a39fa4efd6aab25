import CoreMetrics
import FirstaskDesk
import Foundation
import Prometheus
import Synchronization

/// The gateway's metrics: swift-metrics counters, gauges and timers over one Prometheus registry per
/// gateway (so tests that build several gateways in one process each read their own figures).
///
/// Services report events here (`Intake`, `InboxPoller`, `DeskWorker`, `Dispatcher`); the gauges that
/// describe state (outbox backlog, poll age, versions) are set by `refresh` just before each scrape.
public final class GatewayMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let factory: HelpfulPrometheusFactory
    /// The version this build reports in `firstask_build_info`.
    public static let buildVersion = "0.1.0"

    public init() {
        registry = PrometheusCollectorRegistry()
        factory = HelpfulPrometheusFactory(registry: registry, buckets: [
            MetricName.classifyDuration.rawValue: [
                .microseconds(1), .microseconds(2), .microseconds(5), .microseconds(10), .microseconds(25),
                .microseconds(50), .microseconds(100), .microseconds(250), .milliseconds(1), .milliseconds(10),
            ],
        ])
        gauge(.buildInfo, ["version": Self.buildVersion]).record(1)
    }

    /// Creates the counters that alerts and rates read at zero, so that `increase()` sees their first event
    /// (a series born at 1 has no increase). Tickets by label are left to appear with their first ticket.
    public func prepare(channels: [String]) {
        for channel in channels {
            for name in [MetricName.inboundReceived, .inboundDuplicates, .inboundThrottled, .outboxSent, .outboxDead, .pollErrors] {
                counter(name, ["channel": channel]).increment(by: 0)
            }
            for reason in RejectionReason.codes {
                counter(.inboundRejected, ["channel": channel, "reason": reason]).increment(by: 0)
            }
        }
        for deadline in Deadline.allCases { counter(.slaBreaches, ["clock": deadline.rawValue]).increment(by: 0) }
        for level in 1...3 { counter(.escalations, ["level": Self.levelName(level)]).increment(by: 0) }
    }

    // MARK: Events

    /// A poll page or webhook call was stored: `delivered` messages came in, `result` says what was new.
    public func inboundStored(channel: String, delivered: Int, result: IntakeResult, rejected: [RejectedInbound]) {
        counter(.inboundReceived, ["channel": channel]).increment(by: result.stored)
        counter(.inboundDuplicates, ["channel": channel]).increment(by: max(0, delivered - result.stored))
        counter(.inboundThrottled, ["channel": channel]).increment(by: result.throttled)
        for item in rejected {
            counter(.inboundRejected, ["channel": channel, "reason": RejectionReason.code(for: item.reason)]).increment()
        }
    }

    /// A poll of `channel` failed (the channel could not be read, or what it returned could not be stored).
    public func pollFailed(channel: String) {
        counter(.pollErrors, ["channel": channel]).increment()
    }

    /// What one desk batch or clock run did.
    public func desk(_ result: Desk.BatchResult) {
        for (labels, count) in result.openedByLabels {
            counter(.ticketsOpened, ["category": labels.category.rawValue, "severity": labels.severity.rawValue])
                .increment(by: count)
        }
        for (deadline, count) in result.deadlinesMissed {
            counter(.slaBreaches, ["clock": deadline.rawValue]).increment(by: count)
        }
        for (level, count) in result.escalationsByLevel {
            counter(.escalations, ["level": Self.levelName(level)]).increment(by: count)
        }
    }

    public static func levelName(_ level: Int) -> String {
        switch level {
        case 1: "reminder"
        case 2: "head"
        default: "leadership"
        }
    }

    /// The classifier read one message in `duration`.
    public func classified(in duration: Duration) {
        timer(.classifyDuration, [:]).recordNanoseconds(Self.nanoseconds(duration))
    }

    /// One dispatcher round handed `count` texts to `channel` and the channel answered after `duration`.
    public func sendAttempted(channel: String, count: Int, in duration: Duration) {
        let timer = timer(.sendDuration, ["channel": channel])
        for _ in 0..<count { timer.recordNanoseconds(Self.nanoseconds(duration)) }
    }

    /// The outcomes of one dispatcher round, by the channel of each row.
    public func delivered(_ outcomes: [DeliveryOutcome], channelOf: [String: String]) {
        for outcome in outcomes {
            guard let channel = channelOf[outcome.id] else { continue }
            switch outcome.result {
            case .sent: counter(.outboxSent, ["channel": channel]).increment()
            case .dead: counter(.outboxDead, ["channel": channel]).increment()
            case .retry: break
            }
        }
    }

    // MARK: State, set before a scrape

    /// Sets the backlog, poll-age and rules gauges for `channels` (every configured channel gets a value).
    /// `now` is the gateway's clock, which stamped the outbox rows; poll ages are measured on `wallNow`, the
    /// clock `ChannelHealth` is told about.
    public func refresh(
        channels: [String], backlog: [OutboxBacklog], health: ChannelHealth, rulesVersion: String, now: Date, wallNow: Date = Date()
    ) {
        let byChannel = Dictionary(backlog.map { ($0.channel, $0) }, uniquingKeysWith: { first, _ in first })
        for channel in Set(channels).union(byChannel.keys) {
            let row = byChannel[channel]
            gauge(.outboxPending, ["channel": channel]).record(row?.pending ?? 0)
            gauge(.outboxOldestPending, ["channel": channel]).record(row.map { max(0, now.timeIntervalSince($0.oldestCreatedAt)) } ?? 0)
        }
        for (channel, state) in health.snapshot() where state.polled {
            gauge(.pollAge, ["channel": channel]).record(state.lastPollSuccess.map { max(0, wallNow.timeIntervalSince($0)) } ?? -1)
        }
        rulesVersionInForce.withLock { current in
            guard current != rulesVersion else { return }
            if let current { gauge(.rulesInfo, ["version": current]).destroy() }
            gauge(.rulesInfo, ["version": rulesVersion]).record(1)
            current = rulesVersion
        }
    }

    private let rulesVersionInForce = Mutex<String?>(nil)

    /// The Prometheus text exposition of every metric.
    public func exposition() -> String { registry.emitToString() }

    // MARK: swift-metrics handles

    private func counter(_ name: MetricName, _ labels: KeyValuePairs<String, String>) -> CoreMetrics.Counter {
        CoreMetrics.Counter(label: name.rawValue, dimensions: labels.map { ($0.key, $0.value) }, factory: factory)
    }

    private func gauge(_ name: MetricName, _ labels: KeyValuePairs<String, String>) -> CoreMetrics.Gauge {
        CoreMetrics.Gauge(label: name.rawValue, dimensions: labels.map { ($0.key, $0.value) }, factory: factory)
    }

    private func timer(_ name: MetricName, _ labels: KeyValuePairs<String, String>) -> CoreMetrics.Timer {
        CoreMetrics.Timer(label: name.rawValue, dimensions: labels.map { ($0.key, $0.value) }, factory: factory)
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }
}
