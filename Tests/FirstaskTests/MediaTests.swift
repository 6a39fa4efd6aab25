import FirstaskApp
import FirstaskChannels
import FirstaskCurl
import FirstaskDesk
import FirstaskSQLite
import FirstaskTesting
import Foundation
import Logging
import Synchronization
import Testing

@Suite("Attachments: store contract, rules and the fetcher", .serialized)
struct MediaTests {
    static func stores() throws -> [(name: String, store: any ChannelStore & AttachmentStore, cleanup: () -> Void)] {
        let folder = try RepositoryFiles.temporaryFolder("media-store")
        return [("memory", InMemoryStore(), {}),
                ("sqlite", try SQLiteStore(path: folder + "/m.sqlite"), { try? FileManager.default.removeItem(atPath: folder) })]
    }

    static func photoMessage(_ id: String, from: String = "+8618800000001", text: String = "", urls: [String] = ["http://127.0.0.1:9/p.jpg"]) -> InboundMessage {
        InboundMessage(channel: "inbox", providerID: id, from: from, text: text, receivedAt: Date(timeIntervalSince1970: 1_800_000_000),
                       media: urls.map { MediaReference(locator: $0, contentType: "image/jpeg") })
    }

    @Test("both stores: attachments are stored with their message (once on redelivery), retried, given up, stored, and offered for linking only after the desk handled the message")
    func storeContract() async throws {
        for (name, store, cleanup) in try Self.stores() {
            defer { cleanup() }
            let now = Date(timeIntervalSince1970: 1_800_000_000)
            let batch = InboundBatch(channel: "inbox", messages: [Self.photoMessage("m1", urls: ["http://x/1.jpg", "http://x/2.jpg"]),
                                                                 Self.photoMessage("m2", text: "caption")], cursor: nil)
            _ = try await store.storeInbound(batch, flood: .off, now: now, makeID: { UUID().uuidString })
            _ = try await store.storeInbound(batch)  // redelivered: nothing new
            let due = try await store.dueAttachments(now: now.addingTimeInterval(1), limit: 10)
            #expect(due.map(\.reference.locator) == ["http://x/1.jpg", "http://x/2.jpg", "http://127.0.0.1:9/p.jpg"], "\(name)")
            #expect(due.allSatisfy { $0.state == .pending && $0.sender == "+8618800000001" && $0.channel == "inbox" }, "\(name)")
            try await store.recordAttachmentFailure(id: due[0].id, reason: "download failed: connect", retryAt: now.addingTimeInterval(60))
            try await store.recordAttachmentFailure(id: due[1].id, reason: "type text/html is not in media.types", retryAt: nil)
            try await store.recordAttachmentStored(id: due[2].id, sha256: String(repeating: "a", count: 64), size: 3, contentType: "image/png")
            #expect(try await store.dueAttachments(now: now.addingTimeInterval(30), limit: 10).isEmpty, "\(name): retry not due yet")
            let retry = try await store.dueAttachments(now: now.addingTimeInterval(61), limit: 10)
            #expect(retry.map(\.id) == [due[0].id] && retry.first?.attempts == 1 && retry.first?.lastError == "download failed: connect", "\(name)")
            let first = try await store.attachments(channel: "inbox", providerID: "m1")
            #expect(first.map(\.state) == [.pending, .failed], "\(name)")
            #expect(try await store.storedAttachment(sha256: String(repeating: "a", count: 64))?.contentType == "image/png", "\(name)")
            // Not handled by the desk yet: nothing to link. The message stays whatever its attachments' fate.
            #expect(try await store.unlinkedAttachments(limit: 10).isEmpty, "\(name)")
            #expect(try await store.inboundCount() == 2, "\(name)")
            let pending = try await store.pendingInbound(limit: 10)
            try await store.write { tx in try tx.markProcessed(through: pending.last!.id!) }
            let waiting = try await store.unlinkedAttachments(limit: 10)
            #expect(waiting.map(\.text) == ["", "", "caption"], "\(name)")
            try await store.linkAttachment(id: due[2].id, ticketRef: "T0007")
            #expect(try await store.attachments(ticketRef: "T0007").map(\.id) == [due[2].id], "\(name)")
            #expect(try await store.unlinkedAttachments(limit: 10).count == 2, "\(name)")
        }
    }

    @Test("which ticket an attachment joins: a named ticket the sender may act on, else the sender's newest open ticket, else none yet")
    func linkRule() {
        func ticket(_ ref: String, resident: String, at: Double, closed: Bool = false) -> Ticket {
            var ticket = Ticket(ref: ref, intent: .repair, category: .elevator, department: .engineering, severity: .general, location: nil,
                                resident: resident, channel: "sms", locale: .zhHans, text: "x", firstResponder: "s1", handler: "s2",
                                rulesVersion: "v", createdAt: Date(timeIntervalSince1970: at))
            if closed { ticket.lifecycle = TicketLifecycle(.closed(.confirmed)) }
            return ticket
        }
        let mine = [ticket("T0001", resident: "r", at: 1), ticket("T0003", resident: "r", at: 3), ticket("T0004", resident: "r", at: 4, closed: true)]
        let other = ticket("T0002", resident: "someone", at: 2)
        #expect(AttachmentLink.target(sender: "r", mentioned: [], senderOpen: mine, senderIsStaff: false) == "T0003")
        #expect(AttachmentLink.target(sender: "r", mentioned: [mine[0]], senderOpen: mine, senderIsStaff: false) == "T0001")
        // A resident naming someone else's ticket does not put a photo on it.
        #expect(AttachmentLink.target(sender: "r", mentioned: [other], senderOpen: mine, senderIsStaff: false) == "T0003")
        // Staff writing "完成 T0002" with a photo: the done photo goes on that ticket.
        #expect(AttachmentLink.target(sender: "+8613800000001", mentioned: [other], senderOpen: [], senderIsStaff: true) == "T0002")
        #expect(AttachmentLink.target(sender: "new", mentioned: [], senderOpen: [], senderIsStaff: false) == nil)
    }

    @Test("types: the response's own type decides; octet-stream or none falls back to the bytes' signature; parameters and case are ignored")
    func types() {
        let policy = MediaPolicy()
        #expect(policy.allows("image/JPEG; charset=binary") && policy.allows("application/pdf") && !policy.allows("text/html"))
        #expect(MediaPolicy.effectiveType(declared: "text/html", bytes: Data([0xFF, 0xD8, 0xFF, 0])) == "text/html")
        #expect(MediaPolicy.effectiveType(declared: "application/octet-stream", bytes: Data([0xFF, 0xD8, 0xFF, 0])) == "image/jpeg")
        #expect(MediaPolicy.effectiveType(declared: nil, bytes: Data("%PDF-1.7".utf8)) == "application/pdf")
        #expect(MediaPolicy.effectiveType(declared: nil, bytes: Data("hello".utf8)) == nil)
        #expect(policy.nextAttempt(after: 1, now: Date(timeIntervalSince1970: 0)) == Date(timeIntervalSince1970: 5))
        #expect(policy.nextAttempt(after: policy.retryDelays.count + 1, now: Date()) == nil)
    }

    @Test("the fetcher: a 503 then 200 is retried and stored with identical bytes; 404, a disallowed type and a body over the cap are given up with a reason; the messages stay")
    func fetcher() async throws {
        let bytes = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + (0..<3000).map { UInt8($0 % 251) })
        let flaky = Mutex(0)
        let fake = FakeProvider { call, _ in
            switch call.path {
            case "/flaky.png":
                let attempt = flaky.withLock { value -> Int in value += 1; return value }
                return attempt == 1 ? FakeProvider.Reply(503, "busy") : .bytes(bytes, type: "image/png")
            case "/page.html": return .bytes(Data("<html></html>".utf8), type: "text/html")
            case "/huge.jpg": return .bytes(Data([0xFF, 0xD8, 0xFF] + [UInt8](repeating: 7, count: 5000)), type: "image/jpeg")
            default: return FakeProvider.Reply(404, "")
            }
        }
        try await fake.serve { base in
            let folder = try RepositoryFiles.temporaryFolder("media-fetch")
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let store = InMemoryStore()
            let message = Self.photoMessage("f1", urls: ["\(base)/flaky.png", "\(base)/gone.jpg", "\(base)/page.html", "\(base)/huge.jpg"])
            _ = try await store.storeInbound(InboundBatch(channel: "inbox", messages: [message], cursor: nil))
            let channel = HTTPInboxChannel(settings: HTTPInboxSettings(id: "inbox", baseURL: "http://127.0.0.1:9"), client: sharedClient)
            let logs = CapturedLogs()
            let fetcher = MediaFetcher(store: store, channels: ["inbox": channel], folder: MediaFolder(dir: folder),
                                       policy: MediaPolicy(maxBytes: 4096, retryDelays: [0, 0]), client: sharedClient, logger: logs.logger())
            var now = Date()
            for _ in 0..<3 {
                _ = try await fetcher.round(now: now)
                now = now.addingTimeInterval(1)
            }
            let rows = try await store.attachments(channel: "inbox", providerID: "f1")
            #expect(rows.map(\.state) == [.stored, .failed, .failed, .failed])
            #expect(rows[0].attempts == 2 && rows[0].contentType == "image/png" && rows[0].size == bytes.count)
            #expect(MediaFolder(dir: folder).read(rows[0].sha256!) == bytes)
            #expect(rows[1].lastError == "download answered HTTP 404")
            #expect(rows[2].lastError?.contains("text/html is not in media.types") == true)
            #expect(rows[3].lastError?.contains("larger than media.max_bytes") == true)
            #expect(try await store.inboundCount() == 1, "the message is kept")
            #expect(!logs.text.contains(base + "/"), "no URL in the logs")
        }
    }
}
