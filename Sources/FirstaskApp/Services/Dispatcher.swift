import FirstaskDesk
import Foundation
import Logging
import ServiceLifecycle

/// How the dispatcher sends the outbox.
public struct DispatcherSettings: Sendable, Equatable {
    /// Attempts before a row is given up as dead.
    public var maxAttempts = 8
    /// Sends in flight at once.
    public var concurrency = 8
    /// Rows read from the outbox per round.
    public var batch = 256
    public var backoff = Backoff(base: 1, cap: 300)

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

    public init(
        store: any Store, sinks: [String: any MessageSink], settings: DispatcherSettings, clock: any WallClock,
        bell: Doorbell, logger: Logger
    ) {
        self.store = store
        self.sinks = sinks
        self.settings = settings
        self.clock = clock
        self.bell = bell
        self.logger = logger
    }

    public func run() async throws {
        var failures = 0
        await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                do {
                    let sent = try await dispatchRound()
                    failures = 0
                    if sent > 0 { continue }
                    let next = try await store.nextOutboundDue()
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
        let due = try await store.dueOutbound(now: clock.now, limit: settings.batch)
        guard !due.isEmpty else { return 0 }
        var outcomes: [DeliveryOutcome] = []
        outcomes.reserveCapacity(due.count)
        // One batch per channel, channels side by side.
        let byChannel = Dictionary(grouping: due, by: \.channel)
        await withTaskGroup(of: [DeliveryOutcome].self) { group in
            for (channel, messages) in byChannel {
                group.addTask { await deliver(messages, channel: channel) }
            }
            for await batch in group { outcomes.append(contentsOf: batch) }
        }
        try await store.recordDeliveries(outcomes)
        return due.count
    }

    /// One attempt at each of `messages` (all on `channel`), turned into the outcomes to record.
    func deliver(_ messages: [OutboundMessage], channel: String) async -> [DeliveryOutcome] {
        guard let sink = sinks[channel] else {
            logger.error("outbox rows name an unknown channel; giving up", metadata: ["channel": "\(channel)", "count": "\(messages.count)"])
            return messages.map {
                DeliveryOutcome(id: $0.id, result: .dead(error: "no channel '\(channel)' is configured"), at: clock.now)
            }
        }
        let errors = await sink.send(all: messages, concurrency: settings.concurrency)
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
