import FirstaskApp
import FirstaskChannels
import FirstaskCurl
import FirstaskDesk
import FirstaskSQLite
import FirstaskTesting
import Foundation
import Logging
import ServiceLifecycle
import Testing

func inboxChannel(port: Int, wait: Int? = nil, timeout: Double = 5, client: CurlHTTPClient = CurlHTTPClient()) -> HTTPInboxChannel {
    HTTPInboxChannel(settings: HTTPInboxSettings(id: "sms", baseURL: "http://127.0.0.1:\(port)", pollInterval: 0.05, wait: wait,
                                                 limit: 50, requestTimeout: timeout), client: client)
}

@Suite("HTTP inbox channel, against the simulated inbox on loopback")
struct HTTPInboxChannelTests {
    @Test("a poll returns messages oldest first with the next cursor; an empty poll keeps it")
    func polls() async throws {
        try await LiveServer.withInbox { inbox, port in
            inbox.inject(from: "+8613900000001", text: "厨房漏水")
            inbox.inject(from: "+8613900000002", text: "lift broken")
            let channel = inboxChannel(port: port)
            let page = try await channel.fetch(after: nil)
            #expect(page.messages.map(\.text) == ["厨房漏水", "lift broken"])
            #expect(page.messages.map(\.providerID) == ["sim-1", "sim-2"])
            #expect(page.next == "2")
            let empty = try await channel.fetch(after: "2")
            #expect(empty.messages.isEmpty)
            #expect(empty.next == "2")
        }
    }

    @Test("with wait set, the poll is held open and returns as soon as a message arrives")
    func longPolls() async throws {
        try await LiveServer.withInbox { inbox, port in
            let channel = inboxChannel(port: port, wait: 10)
            let started = ContinuousClock.now
            async let page = channel.fetch(after: nil)
            try await Task.sleep(until: .now + .milliseconds(300))
            inbox.inject(from: "+8613900000001", text: "停电了")
            let result = try await page
            #expect(result.messages.map(\.text) == ["停电了"])
            #expect(ContinuousClock.now - started < .seconds(5))
        }
    }

    @Test("5xx, 429 and malformed JSON are retryable channel errors; 429 carries Retry-After")
    func pollErrors() async throws {
        try await LiveServer.withInbox { inbox, port in
            let channel = inboxChannel(port: port)
            inbox.failNext(.messages, .status(503))
            await #expect { _ = try await channel.fetch(after: nil) } throws: { ($0 as? ChannelError)?.retry == .backoff }
            inbox.failNext(.messages, .status(429, retryAfter: 7))
            await #expect { _ = try await channel.fetch(after: nil) } throws: { ($0 as? ChannelError)?.retry == .after(seconds: 7) }
            inbox.failNext(.messages, .malformedJSON)
            await #expect { _ = try await channel.fetch(after: nil) } throws: { error in
                "\(error)".contains("malformed JSON") && (error as? ChannelError)?.retry == .backoff
            }
        }
    }

    @Test("a poll that outlives the request timeout is a retryable error")
    func pollTimeout() async throws {
        try await LiveServer.withInbox { inbox, port in
            inbox.failNext(.messages, .delay(seconds: 3))
            let channel = inboxChannel(port: port, timeout: 0.5)
            await #expect { _ = try await channel.fetch(after: nil) } throws: { error in
                "\(error)".contains("timeout") && (error as? ChannelError)?.retry == .backoff
            }
        }
    }

    @Test("items without id, sender or text are rejected with a reason; good ones in the same page are kept")
    func rejectsBadItems() throws {
        let body = Data("""
            {"messages": [
              {"id": "1", "from": "+86139", "text": "ok"},
              {"from": "+86139", "text": "no id"},
              {"id": "3", "text": "no sender"},
              {"id": "4", "from": "+86139"},
              {"id": 5, "from": "+86139", "text": "   "},
              "not an object",
              {"id": 6, "from": "+86139", "text": "numeric id", "received_at": 1800000000}
            ], "next": "6"}
            """.utf8)
        let page = try HTTPInboxChannel.parsePage(body, channel: "sms", now: Date())
        #expect(page.messages.map(\.providerID) == ["1", "6"])
        #expect(page.messages[1].receivedAt == Date(timeIntervalSince1970: 1_800_000_000))
        #expect(page.rejected.map(\.reason) == [
            "message has no id", "message 3 has no sender (from)", "message 4 has no text", "empty text",
            "item is not a JSON object",
        ])
        #expect(page.next == "6")
    }

    @Test("bodies that are not a messages page are malformed, not a crash")
    func invalidBodies() {
        for body in [Data([0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D]), Data("[]".utf8), Data("{\"messages\": 3}".utf8), Data(),
                     Data("{\"messages\": [".utf8)] {
            #expect(throws: ChannelError.self) { try HTTPInboxChannel.parsePage(body, channel: "sms", now: Date()) }
        }
    }

    @Test("invalid UTF-8 in a text or sender rejects that item with its bytes; the rest of the page is kept and the cursor moves on")
    func rejectsInvalidUTF8() throws {
        var body = Data("{\"messages\": [{\"id\": \"7\", \"from\": \"+86139\", \"text\": \"漏水".utf8)
        body.append(contentsOf: [0xE6, 0xBC])  // a character cut in half
        body.append(Data(" help\"}, {\"id\": \"8\", \"from\": \"".utf8))
        body.append(contentsOf: [0xFF, 0xFE])
        body.append(Data("\", \"text\": \"hi\"}, {\"id\": \"9\", \"from\": \"+86139\", \"text\": \"ok\"}], \"next\": \"9\"}".utf8))
        let page = try HTTPInboxChannel.parsePage(body, channel: "sms", now: Date())
        #expect(page.messages.map(\.providerID) == ["9"])
        #expect(page.rejected.map(\.reason) == ["text is not valid UTF-8", "the sender address is not 1–64 printable ASCII characters"])
        #expect(page.rejected.first?.raw.contains("漏水\\xE6\\xBC help") == true)
        #expect(page.rejected.last?.raw.contains("\\xFF\\xFE") == true)
        #expect(page.next == "9")
    }

    @Test("a page that is not strict JSON (trailing comma, comment, duplicate key) is a retryable error, not a guess")
    func refusesLaxJSON() {
        for body in [#"{"messages": [], "next": "1",}"#, #"{"messages": [] /* x */, "next": "1"}"#, #"{"messages": [], "next": "1", "next": "2"}"#] {
            #expect(throws: ChannelError.self) { try HTTPInboxChannel.parsePage(Data(body.utf8), channel: "sms", now: Date()) }
        }
    }

    @Test("send POSTs the idempotency key, recipient and text; 4xx is final, 5xx retryable")
    func sends() async throws {
        try await LiveServer.withInbox { inbox, port in
            let channel = inboxChannel(port: port)
            let message = OutboundMessage(id: "k-1", channel: "sms", to: "+8613900000001", text: "您好，工单 T0001",
                                          nextAttemptAt: Date(), createdAt: Date())
            try await channel.send(message)
            #expect(inbox.deliveries.map(\.text) == ["您好，工单 T0001"])
            #expect(inbox.deliveries.map(\.id) == ["k-1"])
            inbox.failNext(.send, .status(400))
            await #expect { try await channel.send(message) } throws: { ($0 as? ChannelError)?.retry == .never }
            inbox.failNext(.send, .status(502))
            await #expect { try await channel.send(message) } throws: { ($0 as? ChannelError)?.retry == .backoff }
            #expect(!"\(ChannelError(channel: "sms", message: "send k-1 answered HTTP 502", retry: .backoff))".contains("+86139"))
        }
    }
}

@Suite("Inbox poller: nothing lost, cursor never ahead of the store")
struct InboxPollerTests {
    @Test("through 5xx, malformed JSON, timeouts and broken items, every good message is stored exactly once")
    func survivesABadInbox() async throws {
        let folder = try RepositoryFiles.temporaryFolder("poller")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try SQLiteStore(path: folder + "/db.sqlite")
        try await LiveServer.withInbox { inbox, port in
            for index in 0..<30 { inbox.inject(from: "+86139000000\(index)", text: "message \(index)") }
            inbox.failNext(.messages, .status(500))
            inbox.failNext(.messages, .malformedJSON)
            inbox.failNext(.messages, .delay(seconds: 1.5))
            inbox.failNext(.messages, .rawItems(["{\"id\": \"x\"}", "{\"from\": \"+86\", \"text\": \"no id\"}"]))
            let channel = inboxChannel(port: port, timeout: 0.5)
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            let poller = InboxPoller(source: channel, store: store, deskBell: Doorbell(), pollInterval: 0.05, longPolls: false,
                                     backoff: Backoff(base: 0.05, cap: 0.2), logger: logger)
            let group = ServiceGroup(services: [poller], logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                let deadline = ContinuousClock.now + .seconds(15)
                var lateSent = false
                while try await store.inboundCount() < 35, ContinuousClock.now < deadline {
                    // Once the first 30 are in, more arrive: polling goes on after the faults.
                    if !lateSent, try await store.inboundCount() == 30 {
                        for index in 30..<35 { inbox.inject(from: "+8613911\(index)", text: "late \(index)") }
                        lateSent = true
                    }
                    try await Task.sleep(until: .now + .milliseconds(50))
                }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            #expect(try await store.inboundCount() == 35)
            #expect(try await store.cursor(channel: "sms") == "35")
            #expect(try await store.rejectedInbound().count == 2)
        }
    }
}
