import FirstaskDesk
import Foundation
import Logging
import ServiceLifecycle

/// Polls one channel and stores what it returns; the cursor is stored in the same transaction as the
/// messages before it, so it never moves past a message that was not stored.
public struct InboxPoller: Service {
    let source: any MessageSource
    let store: any Store
    let deskBell: Doorbell
    let pollInterval: Double
    let longPolls: Bool
    let backoff: Backoff
    let logger: Logger
    /// When set, pages are stored through it (flood protection); else straight into `store`.
    public var intake: Intake?
    /// Where poll outcomes are reported (readiness, the poll-age gauge).
    public var health: ChannelHealth?
    /// Where failed polls are counted.
    public var metrics: GatewayMetrics?
    /// When set, a ring ends the wait between idle polls early (WeCom's push callback says there is something
    /// to pull); backoff after a failure is waited out in full.
    public var wake: Doorbell?

    public init(
        source: any MessageSource, store: any Store, deskBell: Doorbell, pollInterval: Double, longPolls: Bool,
        backoff: Backoff = Backoff(base: 0.5, cap: 60), logger: Logger
    ) {
        self.source = source
        self.store = store
        self.deskBell = deskBell
        self.pollInterval = pollInterval
        self.longPolls = longPolls
        self.backoff = backoff
        var logger = logger
        logger[metadataKey: "channel"] = "\(source.channelID)"
        self.logger = logger
    }

    public func run() async throws {
        var cursor: String?
        var failures = 0
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                if failures > 0 || cursor == nil { cursor = try await store.cursor(channel: source.channelID) }
                let known = cursor
                let page = try await cancelWhenGracefulShutdown { try await source.fetch(after: known) }
                let advanced = page.next != nil && page.next != known
                if !page.messages.isEmpty || !page.rejected.isEmpty || advanced {
                    let batch = InboundBatch(channel: source.channelID, messages: page.messages, rejected: page.rejected,
                                             cursor: page.next)
                    let stored = if let intake { try await intake.store(batch).accepted } else { try await store.storeInbound(batch) }
                    if let next = page.next { cursor = next }
                    for item in page.rejected {
                        logger.warning("skipped an unreadable inbound item (recorded in rejected_inbound)",
                                       metadata: ["reason": "\(item.reason)"])
                    }
                    logger.debug("stored a poll", metadata: ["received": "\(page.messages.count)", "new": "\(stored)"])
                    if stored > 0 { deskBell.ring() }
                }
                failures = 0
                health?.pollSucceeded(source.channelID, at: Date())
                if page.messages.isEmpty, !longPolls { await idle() }
            } catch is CancellationError {
                break
            } catch let error as ChannelError {
                failures += 1
                reportFailure()
                let delay: Double = if case let .after(seconds) = error.retry { seconds }
                    else { backoff.delay(attempt: failures, unit: Double.random(in: 0.5..<1)) }
                logger.warning("poll failed; retrying", metadata: [
                    "error": "\(error)", "attempt": "\(failures)", "retry_in_s": "\(Self.format(delay))",
                ])
                await pause(delay)
            } catch {
                failures += 1
                reportFailure()
                let delay = backoff.delay(attempt: failures, unit: Double.random(in: 0.5..<1))
                logger.error("storing a poll failed; the cursor was not moved; retrying", metadata: [
                    "error": "\(error)", "attempt": "\(failures)", "retry_in_s": "\(Self.format(delay))",
                ])
                await pause(delay)
            }
        }
    }

    private func reportFailure() {
        metrics?.pollFailed(channel: source.channelID)
        health?.pollFailed(source.channelID, at: Date())
    }

    private func idle() async {
        guard let wake else { return await pause(pollInterval) }
        try? await cancelWhenGracefulShutdown { await wake.wait(timeout: .milliseconds(Int(pollInterval * 1000))) }
    }

    private func pause(_ seconds: Double) async {
        try? await cancelWhenGracefulShutdown { try await Task.sleep(until: .now + .milliseconds(Int(seconds * 1000))) }
    }

    static func format(_ seconds: Double) -> String { String(format: "%.2f", seconds) }
}
