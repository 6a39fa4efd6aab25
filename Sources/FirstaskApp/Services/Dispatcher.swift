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
        let outcomes = await withTaskGroup(of: DeliveryOutcome.self, returning: [DeliveryOutcome].self) { group in
            var outcomes: [DeliveryOutcome] = []
            outcomes.reserveCapacity(due.count)
            var iterator = due.makeIterator()
            for _ in 0..<settings.concurrency {
                guard let message = iterator.next() else { break }
                group.addTask { await deliver(message) }
            }
            while let outcome = await group.next() {
                outcomes.append(outcome)
                if let message = iterator.next() { group.addTask { await deliver(message) } }
            }
            return outcomes
        }
        try await store.recordDeliveries(outcomes)
        return due.count
    }

    /// One attempt at one row, turned into the outcome to record.
    func deliver(_ message: OutboundMessage) async -> DeliveryOutcome {
        guard let sink = sinks[message.channel] else {
            logger.error("outbox row names an unknown channel; giving up", metadata: ["outbox_id": "\(message.id)", "channel": "\(message.channel)"])
            return DeliveryOutcome(id: message.id, result: .dead(error: "no channel '\(message.channel)' is configured"), at: clock.now)
        }
        do {
            try await sink.send(message)
            return DeliveryOutcome(id: message.id, result: .sent, at: clock.now)
        } catch {
            let attempt = message.attempts + 1
            let channelError = error as? ChannelError
            let reason = channelError?.description ?? "\(error)"
            let now = clock.now
            let decision = Self.decide(retry: channelError?.retry ?? .backoff, attempt: attempt, settings: settings, now: now,
                                       unit: Double.random(in: 0..<1))
            switch decision {
            case let .retry(at, _):
                logger.warning("send failed; will retry", metadata: [
                    "outbox_id": "\(message.id)", "channel": "\(message.channel)", "attempt": "\(attempt)",
                    "error": "\(reason)", "retry_at": "\(at)",
                ])
                return DeliveryOutcome(id: message.id, result: .retry(at: at, error: reason), at: now)
            default:
                logger.error("send failed; giving up (dead letter)", metadata: [
                    "outbox_id": "\(message.id)", "channel": "\(message.channel)", "attempt": "\(attempt)", "error": "\(reason)",
                ])
                return DeliveryOutcome(id: message.id, result: .dead(error: reason), at: now)
            }
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
