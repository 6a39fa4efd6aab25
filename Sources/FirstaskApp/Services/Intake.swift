import FirstaskDesk
import Foundation
import Logging

/// Stores what channels deliver — polled pages and webhook calls alike — with per-sender flood protection,
/// and wakes the desk (new messages) and the dispatcher (flood notices).
public struct Intake: Sendable {
    let store: any ChannelStore
    let flood: FloodPolicy
    let clock: any WallClock
    let deskBell: Doorbell
    let dispatcherBell: Doorbell
    let logger: Logger
    let metrics: GatewayMetrics

    public init(store: any ChannelStore, flood: FloodPolicy, clock: any WallClock, deskBell: Doorbell, dispatcherBell: Doorbell,
                logger: Logger, metrics: GatewayMetrics = GatewayMetrics()) {
        self.metrics = metrics
        self.store = store
        self.flood = flood
        self.clock = clock
        self.deskBell = deskBell
        self.dispatcherBell = dispatcherBell
        self.logger = logger
    }

    /// Stores `batch` (messages, rejected items and cursor in one transaction); returns what was new.
    @discardableResult
    public func store(_ batch: InboundBatch) async throws -> IntakeResult {
        let result = try await store.storeInbound(batch, flood: flood, now: clock.now, makeID: { Desk.ids.next() })
        metrics.inboundStored(channel: batch.channel, delivered: batch.messages.count, result: result, rejected: batch.rejected)
        if result.accepted > 0 { deskBell.ring() }
        if result.notices > 0 { dispatcherBell.ring() }
        if result.throttled > 0 {
            logger.warning("flood protection: messages stored as throttled", metadata: [
                "channel": "\(batch.channel)", "throttled": "\(result.throttled)", "notices": "\(result.notices)",
            ])
        }
        return result
    }

    /// Records delivery reports on their outbox rows.
    public func record(_ reports: [DeliveryReport]) async throws {
        guard !reports.isEmpty else { return }
        let matched = try await store.recordDeliveryReports(reports)
        if matched < reports.count {
            logger.info("delivery reports for unknown outbox rows ignored", metadata: ["count": "\(reports.count - matched)"])
        }
    }
}
