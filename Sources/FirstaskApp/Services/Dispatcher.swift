import FirstaskChannels
import FirstaskDesk
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// How the dispatcher sends the outbox.
public struct DispatcherSettings: Sendable, Equatable {
    /// Attempts before a row is given up as dead.
    public var maxAttempts = 8
    /// Sends in flight at once.
    public var concurrency = 8
    /// Rows read from the outbox per round.
    public var batch = 256
    public var backoff = Backoff(base: 1, cap: 300)
    /// Send rate per channel id; channels not named are not limited.
    public var rateLimits: [String: RateLimit] = [:]
    /// Channels dead-letter alerts may use, in order of preference (`nil`: every configured channel, in order).
    public var alertChannels: [String]?

    public init() {}
}

/// Sends due outbox rows through their channels and records each outcome.
///
/// A row is read only while `pending`, and its outcome is recorded before the next round reads the
/// outbox again, so one dispatcher never sends a row twice. On shutdown the round in flight is
/// finished and recorded first.
public struct Dispatcher: Service {
    let store: any Store
    let sinks: [String: any MessageSink]
    let settings: DispatcherSettings
    let clock: any WallClock
    let bell: Doorbell
    let logger: Logger
    let limiter: RateLimiter
    /// Channel ids in configuration order, for dead-letter alerts.
    let channelOrder: [String]
    /// The channels that can reach staff (they text phone numbers): alerts go only on these (`nil`: any).
    let staffChannels: Set<String>?
    /// The prompts in force, for the dead-letter alert text.
    let templates: @Sendable () -> Templates?
    let metrics: GatewayMetrics
    let health: ChannelHealth?

    public init(
        store: any Store, sinks: [String: any MessageSink], settings: DispatcherSettings, clock: any WallClock,
        bell: Doorbell, logger: Logger, channelOrder: [String]? = nil, staffChannels: [String]? = nil,
        templates: @escaping @Sendable () -> Templates? = { nil },
        metrics: GatewayMetrics = GatewayMetrics(), health: ChannelHealth? = nil
    ) {
        self.metrics = metrics
        self.health = health
        self.store = store
        self.sinks = sinks
        self.settings = settings
        self.clock = clock
        self.bell = bell
        self.logger = logger
        limiter = RateLimiter(settings.rateLimits)
        self.channelOrder = channelOrder ?? sinks.keys.sorted()
        self.staffChannels = staffChannels.map(Set.init)
        self.templates = templates
    }

    public func run() async throws {
        var failures = 0
        await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                do {
                    let round = try await dispatch()
                    failures = 0
                    if round.tried > 0 { continue }
                    // Rows held back by a rate limit are due already: wait for the bucket, not for them.
                    var next = round.limitedUntil
                    if next == nil { next = try await store.nextOutboundDue() }
                    let idle = next.map { max(0.001, min(1, $0.timeIntervalSince(clock.now))) } ?? 1
                    await bell.wait(timeout: .milliseconds(Int(idle * 1000)))
                } catch {
                    failures += 1
                    logger.error("outbox round failed; retrying", metadata: ["error": "\(error)", "attempt": "\(failures)"])
                    await bell.wait(timeout: .seconds(min(30, failures)))
                }
            }
        } onGracefulShutdown: {
            bell.ring()
        }
    }

    /// Sends one round of due rows and records the outcomes; returns how many rows it tried.
    @discardableResult
    public func dispatchRound() async throws -> Int {
        try await dispatch().tried
    }

    /// One round: rows tried, and when a rate-limited channel may send again if it held rows back.
    func dispatch() async throws -> (tried: Int, limitedUntil: Date?) {
        let due = try await store.dueOutbound(now: clock.now, limit: settings.batch)
        guard !due.isEmpty else { return (0, nil) }
        var outcomes: [DeliveryOutcome] = []
        outcomes.reserveCapacity(due.count)
        // One batch per channel, channels side by side; a rate-limited channel sends what its bucket allows
        // and leaves the rest pending, untouched, for a later round.
        var byChannel = Dictionary(grouping: due, by: \.channel)
        var limitedUntil: Date?
        let now = clock.now
        for (channel, messages) in byChannel {
            let granted = limiter.take(channel: channel, wanted: messages.count, now: now)
            if granted < messages.count {
                byChannel[channel] = Array(messages.prefix(granted))
                let next = limiter.nextToken(channel: channel, now: now)
                limitedUntil = min(limitedUntil ?? next, next)
            }
        }
        let tried = byChannel.values.reduce(0) { $0 + $1.count }
        guard tried > 0 else { return (0, limitedUntil) }
        await withTaskGroup(of: [DeliveryOutcome].self) { group in
            for (channel, messages) in byChannel where !messages.isEmpty {
                group.addTask { await deliver(messages, channel: channel) }
            }
            for await batch in group { outcomes.append(contentsOf: batch) }
        }
        try await alertDeadLetters(outcomes, rows: due)
        try await store.recordDeliveries(outcomes)
        report(outcomes, rows: due)
        return (tried, limitedUntil)
    }

    /// Enqueues alerts to the on-duty service-centre staff for the rows this round gives up; before the
    /// outcomes are recorded, so a crash in between repeats the same (deduplicated) alerts rather than losing them.
    func alertDeadLetters(_ outcomes: [DeliveryOutcome], rows: [OutboundMessage]) async throws {
        let byID = Dictionary(rows.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var dead: [String: [(message: OutboundMessage, error: String)]] = [:]
        for outcome in outcomes {
            guard case let .dead(error) = outcome.result, let row = byID[outcome.id] else { continue }
            dead[row.channel, default: []].append((row, error))
        }
        guard !dead.isEmpty else { return }
        let roster = try await store.roster()
        let preference = (settings.alertChannels ?? channelOrder).filter { channel in
            sinks[channel] != nil && staffChannels.map { $0.contains(channel) } ?? true
        }
        let templates = self.templates()
        var alerts: [OutboundMessage] = []
        for (channel, rows) in dead.sorted(by: { $0.key < $1.key }) {
            alerts += DeadLetterAlerts.plan(dead: rows, channel: channel, roster: roster, preference: preference,
                                            templates: templates, now: clock.now)
        }
        guard !alerts.isEmpty else { return }
        let planned = alerts
        try await store.write { tx in for alert in planned { try tx.enqueue(alert) } }
        logger.error("texts given up as dead letters; on-duty staff alerted", metadata: [
            "dead": "\(dead.values.reduce(0) { $0 + $1.count })", "alerts": "\(alerts.count)",
            "channels": "\(dead.keys.sorted().joined(separator: ","))",
        ])
    }

    /// Counts the recorded outcomes (sent, dead) and tells the channels' health which channels sent.
    func report(_ outcomes: [DeliveryOutcome], rows: [OutboundMessage]) {
        let channelOf = Dictionary(rows.map { ($0.id, $0.channel) }, uniquingKeysWith: { first, _ in first })
        metrics.delivered(outcomes, channelOf: channelOf)
        guard let health else { return }
        for outcome in outcomes {
            guard let channel = channelOf[outcome.id] else { continue }
            if case .sent = outcome.result { health.sendSucceeded(channel, at: Date()) } else { health.sendFailed(channel, at: Date()) }
        }
    }

    /// One attempt at each of `messages` (all on `channel`), turned into the outcomes to record.
    func deliver(_ messages: [OutboundMessage], channel: String) async -> [DeliveryOutcome] {
        guard let sink = sinks[channel] else {
            logger.error("outbox rows name an unknown channel; giving up", metadata: ["channel": "\(channel)", "count": "\(messages.count)"])
            return messages.map {
                DeliveryOutcome(id: $0.id, result: .dead(error: "no channel '\(channel)' is configured"), at: clock.now)
            }
        }
        let start = ContinuousClock.now
        let errors = await sink.send(all: messages, concurrency: settings.concurrency)
        metrics.sendAttempted(channel: channel, count: messages.count, in: ContinuousClock.now - start)
        let now = clock.now
        return zip(messages, errors).map { message, error in
            guard let error else { return DeliveryOutcome(id: message.id, result: .sent, at: now) }
            let attempt = message.attempts + 1
            let decision = Self.decide(retry: error.retry, attempt: attempt, settings: settings, now: now,
                                       unit: Double.random(in: 0..<1))
            if case let .retry(at, _) = decision {
                logger.warning("send failed; will retry", metadata: [
                    "outbox_id": "\(message.id)", "channel": "\(channel)", "attempt": "\(attempt)",
                    "error": "\(error)", "retry_at": "\(at)",
                ])
                return DeliveryOutcome(id: message.id, result: .retry(at: at, error: error.description), at: now)
            }
            let policy = if case let .dead(reason) = decision { reason } else { "gave up" }
            logger.error("send failed; giving up (dead letter)", metadata: [
                "outbox_id": "\(message.id)", "channel": "\(channel)", "attempt": "\(attempt)", "error": "\(error)",
            ])
            return DeliveryOutcome(id: message.id, result: .dead(error: "\(policy): \(error)"), at: now)
        }
    }

    /// The pure retry policy: final errors and exhausted attempts are dead; otherwise the provider's
    /// `Retry-After` or jittered exponential backoff.
    public static func decide(
        retry: ChannelError.Retry, attempt: Int, settings: DispatcherSettings, now: Date, unit: Double
    ) -> DeliveryOutcome.Result {
        if retry == .never { return .dead(error: "final error") }
        if attempt >= settings.maxAttempts { return .dead(error: "gave up after \(attempt) attempts") }
        let delay: Double = if case let .after(seconds) = retry { max(seconds, settings.backoff.floor) }
            else { settings.backoff.delay(attempt: attempt, unit: unit) }
        return .retry(at: now.addingTimeInterval(delay), error: "")
    }
}

/// The token buckets of the rate-limited channels.
final class RateLimiter: Sendable {
    private let limits: [String: RateLimit]
    private let buckets = Mutex<[String: TokenBucket]>([:])

    init(_ limits: [String: RateLimit]) { self.limits = limits }

    /// How many of `wanted` sends `channel` may make now (all of them when it has no limit).
    func take(channel: String, wanted: Int, now: Date) -> Int {
        guard let limit = limits[channel] else { return wanted }
        return buckets.withLock { buckets in
            var bucket = buckets[channel] ?? TokenBucket(rate: limit.perSecond, capacity: limit.burst, now: now)
            let granted = bucket.take(upTo: wanted, now: now)
            buckets[channel] = bucket
            return granted
        }
    }

    func nextToken(channel: String, now: Date) -> Date {
        buckets.withLock { $0[channel]?.nextToken(now: now) ?? now }
    }
}
