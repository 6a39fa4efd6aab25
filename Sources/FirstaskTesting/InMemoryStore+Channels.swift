import FirstaskDesk
import Foundation

extension InMemoryStore: ChannelStore {
    public func storeInbound(
        _ batch: InboundBatch, flood: FloodPolicy, now: Date, makeID: @Sendable () -> String
    ) async throws -> IntakeResult {
        let ids = batch.messages.map { _ in makeID() }
        return state.withLock { state in
            var result = IntakeResult()
            for (index, var message) in batch.messages.enumerated() {
                guard state.inboundKeys.insert("\(batch.channel)\u{0}\(message.providerID)").inserted else { continue }
                var decision = (throttle: false, notice: false)
                if flood.maxPerWindow > 0 {
                    let since = now.addingTimeInterval(-flood.window)
                    let recent = state.inbound.filter {
                        $0.channel == batch.channel && $0.from == message.from && (state.storedAt[$0.id!] ?? .distantPast) > since
                    }
                    decision = flood.decide(recent: recent.count,
                                            recentThrottled: recent.filter { state.throttled.contains($0.id!) }.count)
                }
                let id = Int64(state.inbound.count + 1)
                message.id = id
                message.channel = batch.channel
                state.inbound.append(message)
                state.storedAt[id] = now
                Self.recordAttachments(of: message, now: now, in: &state)
                if decision.throttle {
                    state.throttled.insert(id)
                    state.processed.insert(id)
                    result.throttled += 1
                } else {
                    result.accepted += 1
                }
                if decision.notice, let notice = flood.notice(for: message.text), state.outboxIndex[ids[index]] == nil {
                    state.outboxIndex[ids[index]] = state.outbox.count
                    state.outbox.append(OutboundMessage(id: ids[index], channel: batch.channel, to: message.from, text: notice,
                                                        nextAttemptAt: now, createdAt: now))
                    result.notices += 1
                }
            }
            state.rejected.append(contentsOf: batch.rejected)
            if let cursor = batch.cursor { state.cursors[batch.channel] = cursor }
            return result
        }
    }

    public func recordDeliveryReports(_ reports: [DeliveryReport]) async throws -> Int {
        state.withLock { state in
            var matched = 0
            for report in reports where state.outboxIndex[report.outboxID] != nil {
                matched += 1
                if report.state == .accepted, let known = state.reports[report.outboxID], known.state != .accepted { continue }
                state.reports[report.outboxID] = report
            }
            return matched
        }
    }

    public func deliveryReport(outboxID: String) async throws -> DeliveryReport? {
        state.withLock { $0.reports[outboxID] }
    }

    public func throttledCount() async throws -> Int {
        state.withLock { $0.throttled.count }
    }

    public func rejectedCounts() async throws -> [String: Int] {
        state.withLock { state in state.rejected.reduce(into: [:]) { $0[$1.channel, default: 0] += 1 } }
    }
}
