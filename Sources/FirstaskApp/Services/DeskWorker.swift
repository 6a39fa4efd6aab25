import FirstaskClassifier
import FirstaskDesk
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Runs the desk over stored inbound messages in batches, each batch one store transaction, and wakes
/// the dispatcher when the desk wrote replies.
public struct DeskWorker: Service {
    let store: any Store
    let desk: DeskHolder
    let clock: any WallClock
    let bell: Doorbell
    let dispatcherBell: Doorbell
    let batchSize: Int
    /// How often the desk's clocks run (deadlines, confirmation windows, check-ins).
    let clockInterval: Duration
    let logger: Logger
    let metrics: GatewayMetrics

    public init(
        store: any Store, desk: DeskHolder, clock: any WallClock, bell: Doorbell, dispatcherBell: Doorbell,
        batchSize: Int = 500, clockInterval: Duration = .seconds(30), logger: Logger, metrics: GatewayMetrics = GatewayMetrics()
    ) {
        self.metrics = metrics
        self.clockInterval = clockInterval
        self.store = store
        self.desk = desk
        self.clock = clock
        self.bell = bell
        self.dispatcherBell = dispatcherBell
        self.batchSize = batchSize
        self.logger = logger
    }

    public func run() async throws {
        var failures = 0
        var nextClockRun = ContinuousClock.now
        await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                do {
                    if ContinuousClock.now >= nextClockRun {
                        nextClockRun = ContinuousClock.now + clockInterval
                        let timers = try await runClocks()
                        if timers.enqueued > 0 { dispatcherBell.ring() }
                    }
                    let result = try await processBatch()
                    failures = 0
                    if result.enqueued > 0 { dispatcherBell.ring() }
                    if result.handled == batchSize { continue }
                } catch {
                    failures += 1
                    logger.error("desk batch failed; it will be retried", metadata: ["error": "\(error)", "attempt": "\(failures)"])
                }
                await bell.wait(timeout: failures > 0 ? .seconds(min(30, failures)) : .seconds(1))
            }
        } onGracefulShutdown: {
            bell.ring()
        }
    }

    /// Handles one batch of pending messages; returns what it did.
    /// Runs the desk's clocks once at the wall clock's time: reminders and escalations for missed deadlines,
    /// unconfirmed tickets closed, missed check-ins alerted. The loop in `run` calls it every `clockInterval`.
    @discardableResult
    public func runClocks() async throws -> Desk.BatchResult {
        let desk = self.desk.current
        let now = clock.now
        let result = try await store.write { tx in try desk.tick(tx, now: now) }
        metrics.desk(result)
        if result.escalations > 0 || result.closedUnconfirmed > 0 {
            logger.info("desk clocks ran", metadata: [
                "escalation_steps": "\(result.escalations)", "closed_unconfirmed": "\(result.closedUnconfirmed)",
            ])
        }
        return result
    }

    @discardableResult
    public func processBatch() async throws -> Desk.BatchResult {
        let desk = self.desk.current
        let limit = batchSize
        // Classify before the write transaction, so the store's single writer is held only for the
        // ticket changes themselves, not for reading text.
        var labels: [Int64: Classification] = [:]
        for message in try await store.pendingInbound(limit: limit) {
            guard let id = message.id else { continue }
            let start = ContinuousClock.now
            labels[id] = desk.classifier.classify(message.text)
            metrics.classified(in: ContinuousClock.now - start)
        }
        // Only the messages just classified are handled: any stored since the read wait for the next batch,
        // so every message is classified (and timed) here, outside the transaction.
        guard !labels.isEmpty else { return Desk.BatchResult() }
        let now = clock.now
        let prepared = labels
        let result = try await store.write { tx in try desk.process(tx, now: now, limit: prepared.count, labels: prepared) }
        metrics.desk(result)
        if result.handled > 0 {
            logger.debug("desk handled a batch", metadata: [
                "messages": "\(result.handled)", "tickets_opened": "\(result.ticketsOpened)", "enqueued": "\(result.enqueued)",
            ])
        }
        return result
    }
}

/// The desk currently in force; replaced when prompts are reloaded.
public final class DeskHolder: Sendable {
    private let desk: Mutex<Desk>
    public init(_ desk: Desk) { self.desk = Mutex(desk) }
    public var current: Desk { desk.withLock { $0 } }
    public func replace(_ desk: Desk) { self.desk.withLock { $0 = desk } }
}
