import FirstaskChannels
import FirstaskCurl
import FirstaskDesk
import Foundation
import Logging
import ServiceLifecycle

/// Fetches announced attachments, stores them content-addressed, and links them to tickets.
///
/// Each due attachment: the channel says how to fetch it (`MediaFetching`), libcurl downloads it with the
/// `media.max_bytes` cap, the response's type must be in `media.types`, the bytes go to the `MediaFolder` and
/// the row is marked stored. A network failure, a 5xx or a 429 is retried on `MediaPolicy.retryDelays`; a
/// type not allowed, a body over the cap or a 4xx gives up at once — the message itself was stored before and
/// stays either way. After every round, attachments of handled messages are linked to their sender's newest
/// open ticket (`AttachmentStore.linkAttachments`).
public struct MediaFetcher: Service {
    let store: any Store & AttachmentStore
    let channels: [String: any MediaFetching]
    let folder: MediaFolder
    let policy: MediaPolicy
    let client: CurlHTTPClient
    let interval: Double
    let logger: Logger

    public init(store: any Store & AttachmentStore, channels: [String: any MediaFetching], folder: MediaFolder, policy: MediaPolicy,
                client: CurlHTTPClient, interval: Double = 0.5, logger: Logger) {
        self.store = store
        self.channels = channels
        self.folder = folder
        self.policy = policy
        self.client = client
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                _ = try await round(now: Date())
            } catch is CancellationError {
                break
            } catch {
                logger.error("media round failed; retrying", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(until: .now + .milliseconds(Int(interval * 1000))) }
        }
    }

    /// One pass: fetch what is due, then link. Returns how many were stored.
    public func round(now: Date) async throws -> Int {
        var stored = 0
        for attachment in try await store.dueAttachments(now: now, limit: 20) {
            if try await fetch(attachment, now: now) { stored += 1 }
        }
        try await link()
        return stored
    }

    /// Puts attachments of handled messages on their tickets (`AttachmentLink`).
    func link() async throws {
        let waiting = try await store.unlinkedAttachments(limit: 100)
        guard !waiting.isEmpty else { return }
        let roster = try await store.roster()
        let open = try await store.tickets(.open)
        for (attachment, text) in waiting {
            var mentioned: [Ticket] = []
            for ref in CommandWords.mentionedRefs(in: text) {
                if let found = try await store.ticket(ref: ref)?.ticket, found.status.isOpen { mentioned.append(found) }
            }
            let target = AttachmentLink.target(sender: attachment.sender, mentioned: mentioned,
                                               senderOpen: open.filter { $0.resident == attachment.sender },
                                               senderIsStaff: roster.member(address: attachment.sender) != nil)
            guard let target else { continue }
            try await store.linkAttachment(id: attachment.id, ticketRef: target)
            logger.debug("attachment linked", metadata: ["attachment": "\(attachment.id)", "ticket": "\(target)"])
        }
    }

    /// Why an attempt failed, and whether to try again.
    struct Failure: Error {
        var reason: String
        var retry: Bool
    }

    func fetch(_ attachment: Attachment, now: Date) async throws -> Bool {
        var logger = logger
        logger[metadataKey: "channel"] = "\(attachment.channel)"
        logger[metadataKey: "attachment"] = "\(attachment.id)"
        do {
            let (data, type) = try await download(attachment)
            let address = try folder.write(data)
            try await store.recordAttachmentStored(id: attachment.id, sha256: address, size: data.count, contentType: type)
            logger.info("attachment stored", metadata: ["bytes": "\(data.count)", "type": "\(type)"])
            return true
        } catch is CancellationError {
            throw CancellationError()
        } catch let failure as Failure {
            let retryAt = failure.retry ? policy.nextAttempt(after: attachment.attempts + 1, now: now) : nil
            try await store.recordAttachmentFailure(id: attachment.id, reason: failure.reason, retryAt: retryAt)
            logger.warning(retryAt == nil ? "attachment given up (the message is kept)" : "attachment fetch failed; will retry",
                           metadata: ["reason": "\(failure.reason)", "attempt": "\(attachment.attempts + 1)"])
            return false
        }
    }

    func download(_ attachment: Attachment) async throws -> (Data, String) {
        guard let channel = channels[attachment.channel] else {
            throw Failure(reason: "channel \(attachment.channel) cannot fetch media (not configured now)", retry: true)
        }
        var request: HTTPRequest
        do {
            request = try await channel.mediaRequest(for: attachment.reference)
        } catch let error as ChannelError {
            throw Failure(reason: error.message, retry: error.retry != .never)
        }
        request.maxResponseBytes = policy.maxBytes
        let response: HTTPResponse
        do {
            response = try await client.execute(request)
        } catch let error as HTTPClientError {
            if error.code == .cancelled { throw CancellationError() }
            if error.code == .tooLarge { throw Failure(reason: "larger than media.max_bytes (\(policy.maxBytes) bytes)", retry: false) }
            // Not the endpoint: a Telegram file URL holds the bot token in its path.
            throw Failure(reason: "download failed: \(error.code)", retry: true)
        }
        guard response.status == 200 else {
            let retry = response.status == 429 || response.status == 408 || response.status >= 500
            throw Failure(reason: "download answered HTTP \(response.status)", retry: retry)
        }
        do {
            try channel.checkMediaResponse(response)
        } catch {
            throw Failure(reason: error.message, retry: error.retry != .never)
        }
        guard !response.body.isEmpty else { throw Failure(reason: "download was empty", retry: true) }
        // The response's type decides, not the one the message announced (a sender could announce anything).
        guard let type = MediaPolicy.effectiveType(declared: response.header("Content-Type"), bytes: response.body),
              policy.allows(type)
        else {
            let said = MediaPolicy.bareType(response.header("Content-Type") ?? "")
            throw Failure(reason: "type \(said.isEmpty ? "(none)" : String(said.prefix(60))) is not in media.types", retry: false)
        }
        return (response.body, type)
    }
}
