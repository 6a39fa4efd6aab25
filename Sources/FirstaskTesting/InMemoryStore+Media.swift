import FirstaskDesk
import Foundation

extension InMemoryStore: AttachmentStore {
    /// Records the attachments `message` announced, with the message (called by both `storeInbound`s).
    static func recordAttachments(of message: InboundMessage, now: Date, in state: inout State) {
        for reference in message.media.prefix(MediaReference.maxPerMessage) {
            state.attachments.append(Attachment(
                id: Int64(state.attachments.count + 1), channel: message.channel, providerID: message.providerID,
                sender: message.from, reference: reference, nextAttemptAt: now, receivedAt: message.receivedAt))
        }
    }

    public func dueAttachments(now: Date, limit: Int) async throws -> [Attachment] {
        state.withLock { state in
            Array(state.attachments.filter { $0.state == .pending && $0.nextAttemptAt <= now }
                .sorted { ($0.nextAttemptAt, $0.id) < ($1.nextAttemptAt, $1.id) }.prefix(limit))
        }
    }

    public func recordAttachmentStored(id: Int64, sha256: String, size: Int, contentType: String) async throws {
        state.withLock { state in
            guard let index = state.attachments.firstIndex(where: { $0.id == id }) else { return }
            state.attachments[index].state = .stored
            state.attachments[index].sha256 = sha256
            state.attachments[index].size = size
            state.attachments[index].contentType = contentType
            state.attachments[index].attempts += 1
            state.attachments[index].lastError = nil
        }
    }

    public func recordAttachmentFailure(id: Int64, reason: String, retryAt: Date?) async throws {
        state.withLock { state in
            guard let index = state.attachments.firstIndex(where: { $0.id == id && $0.state == .pending }) else { return }
            state.attachments[index].attempts += 1
            state.attachments[index].lastError = String(reason.prefix(500))
            if let retryAt { state.attachments[index].nextAttemptAt = retryAt } else { state.attachments[index].state = .failed }
        }
    }

    public func unlinkedAttachments(limit: Int) async throws -> [(attachment: Attachment, text: String)] {
        state.withLock { state in
            Array(state.attachments.compactMap { attachment -> (attachment: Attachment, text: String)? in
                guard attachment.ticketRef == nil,
                      let message = state.inbound.first(where: { $0.channel == attachment.channel && $0.providerID == attachment.providerID }),
                      let id = message.id, state.processed.contains(id), !state.throttled.contains(id)
                else { return nil }
                return (attachment, message.text)
            }.prefix(limit))
        }
    }

    public func linkAttachment(id: Int64, ticketRef: String) async throws {
        state.withLock { state in
            guard let index = state.attachments.firstIndex(where: { $0.id == id && $0.ticketRef == nil }) else { return }
            state.attachments[index].ticketRef = ticketRef
        }
    }

    public func attachments(ticketRef: String) async throws -> [Attachment] {
        state.withLock { state in
            state.attachments.filter { $0.ticketRef == ticketRef }.sorted { ($0.receivedAt, $0.id) < ($1.receivedAt, $1.id) }
        }
    }

    public func attachments(channel: String, providerID: String) async throws -> [Attachment] {
        state.withLock { state in state.attachments.filter { $0.channel == channel && $0.providerID == providerID } }
    }

    public func storedAttachment(sha256: String) async throws -> Attachment? {
        state.withLock { state in state.attachments.first { $0.sha256 == sha256 && $0.state == .stored } }
    }
}
