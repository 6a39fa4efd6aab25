import FirstaskApp
import FirstaskChannels
import FirstaskCurl
import FirstaskDesk
import FirstaskTesting
import Foundation
import Logging
import Testing

func quietLogger() -> Logger {
    var logger = Logger(label: "firstask.test")
    logger.logLevel = .critical
    return logger
}

@Suite("Whole gateway on loopback: inbox → desk → outbox → inbox, over libcurl")
struct GatewayEndToEndTests {
    @Test("residents' texts become tickets with acknowledgements; the handler's reply reaches the resident")
    func endToEnd() async throws {
        let folder = try RepositoryFiles.temporaryFolder("e2e")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let options = LoopbackRig.Options(folder: folder, promptsPath: RepositoryFiles.prompts, rosterPath: RepositoryFiles.roster)
        try await LoopbackRig.with(options, logger: quietLogger()) { rig in
            rig.inbox.inject(from: "+8613911110001", text: "3栋2单元501厨房水管漏水")
            rig.inbox.inject(from: "+447700900123", text: "The lift in Block 2 is stuck between floors, Flat 1203")
            #expect(try await rig.settle())
            let tickets = try await rig.gateway.store.tickets(.all)
            #expect(tickets.map(\.ref) == ["T0001", "T0002"])
            let acks = rig.inbox.deliveries.filter { $0.to == "+8613911110001" }
            #expect(acks.count == 1 && acks[0].text.contains("T0001"))
            #expect(rig.inbox.deliveries.contains { $0.to == "+447700900123" && $0.text.contains("T0002") })

            let roster = try await rig.gateway.store.roster()
            let handler = try #require(roster.member(id: tickets[0].handler))
            rig.inbox.inject(from: handler.address, text: "T0001 回复 师傅马上到")
            #expect(try await rig.settle())
            #expect(rig.inbox.deliveries.contains { $0.to == "+8613911110001" && $0.text.hasSuffix("师傅马上到") })
            #expect(rig.inbox.duplicateSends == 0)
            #expect(try await rig.gateway.store.outbound(status: .pending).isEmpty)
        }
    }

    @Test("the admin API needs the bearer token and shows tickets with their timeline")
    func adminAPI() async throws {
        let folder = try RepositoryFiles.temporaryFolder("admin")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let options = LoopbackRig.Options(folder: folder, promptsPath: RepositoryFiles.prompts, rosterPath: RepositoryFiles.roster)
        try await LoopbackRig.with(options, logger: quietLogger()) { rig in
            rig.inbox.inject(from: "+8613911110001", text: "3栋2单元501厨房水管漏水")
            #expect(try await rig.settle())
            let client = CurlHTTPClient()
            defer { client.shutdown() }
            let base = "http://127.0.0.1:\(try #require(rig.adminPort))"
            let auth = [(name: "Authorization", value: "Bearer \(rig.adminToken)")]

            #expect(try await client.execute(HTTPRequest(url: base + "/api/tickets")).status == 401)
            #expect(try await client.execute(HTTPRequest(url: base + "/api/tickets", headers: [(name: "Authorization", value: "Bearer wrong")])).status == 401)

            let list = try await client.execute(HTTPRequest(url: base + "/api/tickets?status=open", headers: auth))
            #expect(list.status == 200)
            let object = try #require(try JSONSerialization.jsonObject(with: list.body) as? [String: Any])
            let tickets = try #require(object["tickets"] as? [[String: Any]])
            #expect(tickets.count == 1)
            for key in ["ref", "status", "intent", "category", "department", "severity", "location", "resident", "first_responder",
                        "handler", "created_at", "first_response_at", "promised_reply_at", "resolved_at", "closed_at", "satisfaction", "events"] {
                #expect(tickets[0].keys.contains(key), "missing \(key)")
            }
            #expect(try await client.execute(HTTPRequest(url: base + "/api/tickets?status=closed", headers: auth)).status == 200)
            #expect(try await client.execute(HTTPRequest(url: base + "/api/tickets?status=bogus", headers: auth)).status == 400)

            let one = try await client.execute(HTTPRequest(url: base + "/api/tickets/T0001", headers: auth))
            #expect(one.status == 200)
            let ticket = try #require(try JSONSerialization.jsonObject(with: one.body) as? [String: Any])
            #expect(ticket["ref"] as? String == "T0001")
            #expect((ticket["location"] as? [String: Any])?["room"] as? String == "501")
            #expect((ticket["events"] as? [Any])?.count == 2)
            #expect(try await client.execute(HTTPRequest(url: base + "/api/tickets/T0404", headers: auth)).status == 404)
        }
    }

    @Test("written complaints: registered through the API to leadership, refused when malformed, closed only after the written reply")
    func writtenComplaints() async throws {
        let folder = try RepositoryFiles.temporaryFolder("written")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var options = LoopbackRig.Options(folder: folder, promptsPath: RepositoryFiles.prompts, rosterPath: RepositoryFiles.roster)
        options.clock = FakeClock(DeskHarness.day)
        try await LoopbackRig.with(options, logger: quietLogger()) { rig in
            let client = CurlHTTPClient()
            defer { client.shutdown() }
            let base = "http://127.0.0.1:\(try #require(rig.adminPort))"
            let auth = [(name: "Authorization", value: "Bearer \(rig.adminToken)")]
            func post(_ path: String, _ body: String) async throws -> (Int, [String: Any]) {
                let response = try await client.execute(HTTPRequest(method: .post, url: base + path, headers: auth, body: Data(body.utf8)))
                return (response.status, (try? JSONSerialization.jsonObject(with: response.body) as? [String: Any]) ?? [:])
            }
            let body = #"{"register": "SM-2026-031", "text": "物业费上涨不合理，要求公示账目", "resident": "+8613911110001", "channel": "sms"}"#
            let (created, ticket) = try await post("/api/written-complaints", body)
            #expect(created == 201)
            let ref = try #require(ticket["ref"] as? String)
            #expect(ticket["source"] as? String == "written" && ticket["register"] as? String == "SM-2026-031")
            #expect(try await post("/api/written-complaints", body).0 == 409)
            #expect(try await post("/api/written-complaints", #"{"register": "x"}"#).0 == 400)
            #expect(try await post("/api/written-complaints", "{not json").0 == 400)
            #expect(try await post("/api/written-complaints", String(repeating: "a", count: 70_000)).0 == 413)
            #expect(try await client.execute(HTTPRequest(method: .post, url: base + "/api/written-complaints", body: Data(body.utf8))).status == 401)
            #expect(try await rig.settle())
            let leader = try #require(try await rig.gateway.store.roster().leaders.first)
            #expect(rig.inbox.deliveries.contains { $0.to == leader.address && $0.text.contains("SM-2026-031") })

            let handler = try #require(try await rig.gateway.store.roster().member(id: ticket["handler"] as? String ?? ""))
            rig.inbox.inject(from: handler.address, text: "完成 \(ref)")
            #expect(try await rig.settle())
            #expect(try await rig.gateway.store.ticket(ref: ref)?.ticket.status == .open)
            #expect(try await post("/api/tickets/\(ref)/written-reply", #"{"text": "已于12月1日书面答复", "by": "huang_min"}"#).0 == 200)
            #expect(try await post("/api/tickets/T0404/written-reply", #"{"text": "x"}"#).0 == 404)
            rig.inbox.inject(from: handler.address, text: "完成 \(ref)")
            #expect(try await rig.settle())
            #expect(try await rig.gateway.store.ticket(ref: ref)?.ticket.status == .resolved)

            let duty = try await client.execute(HTTPRequest(url: base + "/api/duty?at=2026-12-01T14:00:00Z", headers: auth))
            #expect(duty.status == 200)
            let object = try #require(try JSONSerialization.jsonObject(with: duty.body) as? [String: Any])
            let departments = try #require(object["departments"] as? [[String: Any]])
            let engineering = try #require(departments.first { $0["department"] as? String == "engineering" })
            #expect((engineering["on_duty"] as? [[String: Any]])?.first?["id"] as? String == "li_qiang")  // 22:00 in Shanghai
            #expect(try await client.execute(HTTPRequest(url: base + "/api/duty?at=yesterday", headers: auth)).status == 400)
        }
    }
}

@Suite("Dispatcher: retries with backoff, never sends a row twice")
struct DispatcherTests {
    func row(_ id: String) -> OutboundMessage {
        OutboundMessage(id: id, channel: "sms", to: "+8613900000001", text: "您好", nextAttemptAt: .distantPast, createdAt: Date())
    }

    @Test("5xx is retried after backoff, 429 after Retry-After, 4xx is dead at once; each row reaches the inbox once")
    func retries() async throws {
        try await LiveServer.withInbox { inbox, port in
            let store = InMemoryStore()
            try await store.write { [self] tx in
                for id in ["a", "b", "c"] { try tx.enqueue(row(id)) }
            }
            let clock = FakeClock(Date())
            var settings = DispatcherSettings()
            settings.concurrency = 1
            settings.backoff = Backoff(base: 1, cap: 10)
            let dispatcher = Dispatcher(store: store, sinks: ["sms": inboxChannel(port: port)], settings: settings,
                                        clock: clock, bell: Doorbell(), logger: quietLogger())
            inbox.failNext(.send, .status(500))
            inbox.failNext(.send, .status(429, retryAfter: 30))
            inbox.failNext(.send, .status(400))
            #expect(try await dispatcher.dispatchRound() == 3)
            #expect(inbox.deliveries.isEmpty)
            #expect(try await store.outbound(status: .dead).count == 1)
            let pending = try await store.outbound(status: .pending)
            #expect(pending.count == 2)
            #expect(pending.allSatisfy { $0.attempts == 1 && $0.lastError?.contains("HTTP") == true })

            #expect(try await dispatcher.dispatchRound() == 0)  // nothing due yet
            clock.advance(by: 31)
            #expect(try await dispatcher.dispatchRound() == 2)
            #expect(inbox.deliveries.count == 2)
            #expect(try await dispatcher.dispatchRound() == 0)
            #expect(inbox.duplicateSends == 0)
            #expect(try await store.outbound(status: .sent).count == 2)
        }
    }

    @Test("a channel without its own batch sending goes through the default, one attempt per row")
    func defaultBatchSending() async throws {
        let store = InMemoryStore()
        try await store.write { [self] tx in
            for id in ["a", "b", "c", "d"] { try tx.enqueue(row(id)) }
        }
        let sink = RecordingSink()
        sink.fail("b", retry: .never)
        sink.fail("c", retry: .after(seconds: 60))
        var settings = DispatcherSettings()
        settings.concurrency = 2
        let clock = FakeClock(Date())
        let dispatcher = Dispatcher(store: store, sinks: ["sms": sink], settings: settings, clock: clock, bell: Doorbell(),
                                    logger: quietLogger())
        #expect(try await dispatcher.dispatchRound() == 4)
        #expect(Set(sink.sent.map(\.id)) == ["a", "d"])
        #expect(try await store.outbound(status: .dead).map(\.id) == ["b"])
        #expect(try await store.outbound(status: .dead).first?.lastError?.hasPrefix("final error") == true)
        #expect(try await store.outbound(status: .pending).map(\.id) == ["c"])
        clock.advance(by: 61)
        #expect(try await dispatcher.dispatchRound() == 1)
        #expect(sink.sent.map(\.id).sorted() == ["a", "c", "d"])
    }

    @Test("rows for a channel that is not configured are dead at once, with the reason")
    func unknownChannel() async throws {
        let store = InMemoryStore()
        try await store.write { tx in
            try tx.enqueue(OutboundMessage(id: "x", channel: "pigeon", to: "+86", text: "hi", nextAttemptAt: .distantPast, createdAt: Date()))
        }
        let dispatcher = Dispatcher(store: store, sinks: [:], settings: DispatcherSettings(), clock: FakeClock(Date()),
                                    bell: Doorbell(), logger: quietLogger())
        #expect(try await dispatcher.dispatchRound() == 1)
        #expect(try await store.outbound(status: .dead).first?.lastError == "no channel 'pigeon' is configured")
    }

    @Test("the retry policy: final errors and exhausted attempts are dead; Retry-After wins over backoff")
    func policy() {
        var settings = DispatcherSettings()
        settings.maxAttempts = 3
        let now = Date(timeIntervalSince1970: 0)
        #expect(Dispatcher.decide(retry: .never, attempt: 1, settings: settings, now: now, unit: 0.5) == .dead(error: "final error"))
        #expect(Dispatcher.decide(retry: .backoff, attempt: 3, settings: settings, now: now, unit: 0.5)
            == .dead(error: "gave up after 3 attempts"))
        #expect(Dispatcher.decide(retry: .after(seconds: 12), attempt: 1, settings: settings, now: now, unit: 0.5)
            == .retry(at: Date(timeIntervalSince1970: 12), error: ""))
        #expect(Dispatcher.decide(retry: .backoff, attempt: 2, settings: settings, now: now, unit: 0.5)
            == .retry(at: Date(timeIntervalSince1970: 1), error: ""))  // base 1 s × 2^(2-1) × 0.5
    }

    @Test("backoff grows exponentially up to its cap")
    func backoff() {
        let backoff = Backoff(base: 1, cap: 60)
        #expect((1...8).map { backoff.ceiling(attempt: $0) } == [1, 2, 4, 8, 16, 32, 60, 60])
        #expect(backoff.delay(attempt: 3, unit: 0) == backoff.floor)
    }
}

@Suite("Configuration: a bad file names the key and the file")
struct ConfigurationTests {
    let valid = """
        http: {listen: "127.0.0.1:8080"}
        admin: {token: "0123456789abcdef0123"}
        store: {sqlite: "db.sqlite"}
        prompts: "../prompts"
        roster: "roster.yaml"
        channels:
          - {id: sms, type: http-inbox, base_url: "http://127.0.0.1:9000", poll_interval: 2s, wait: 20}
        """

    func parse(_ text: String, environment: [String: String] = [:]) throws -> GatewayConfig {
        try GatewayConfig.load(path: try write(text), environment: environment)
    }

    func write(_ text: String) throws -> String {
        let folder = try RepositoryFiles.temporaryFolder("config")
        let path = folder + "/gateway.yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("the documented example configuration is valid")
    func exampleIsValid() throws {
        let config = try GatewayConfig.load(path: RepositoryFiles.exampleConfig, environment: [:])
        #expect(config.channels.first?.wait == 20)
        #expect(config.promptsPath == RepositoryFiles.prompts)
    }

    @Test("a valid file is read, with relative paths next to it")
    func readsValid() throws {
        let config = try parse(valid)
        #expect(config.listenPort == 8080)
        #expect(config.channels.first?.pollInterval == 2)
        #expect(config.sqlitePath.hasSuffix("/db.sqlite"))
    }

    @Test("environment variables override keys")
    func environmentOverrides() throws {
        let config = try parse(valid, environment: [
            "FIRSTASK_ADMIN_TOKEN": "from-the-environment-123", "FIRSTASK_CHANNELS_0_TOKEN": "inbox-secret",
            "FIRSTASK_HTTP_LISTEN": "0.0.0.0:9999",
        ])
        #expect(config.adminToken == "from-the-environment-123")
        #expect(config.channels[0].token == "inbox-secret")
        #expect(config.listenPort == 9999)
    }

    @Test("missing, misspelt and mistyped keys are named with the file", arguments: [
        ("admin: {token: \"0123456789abcdef0123\"}\nstore: {sqlite: x}\nprompts: p\nroster: r\nchannels: []", "key 'channels' is missing"),
        ("admin: {token: \"0123456789abcdef0123\"}\nprompts: p\nroster: r", "key 'store.sqlite' is missing"),
        ("admin: {tokn: \"0123456789abcdef0123\"}", "key 'admin.tokn' is not a known key"),
        ("htp: {listen: x}", "key 'htp' is not a known key"),
        ("http: {listen: \"nope\"}", "key 'http.listen' must be host:port"),
        ("admin: {token: short}", "key 'admin.token' must be at least 16 characters"),
        ("admin: {token: \"0123456789abcdef0123\"}\nstore: {sqlite: x}\nprompts: p\nroster: r\nchannels:\n  - {id: a, type: carrier-pigeon, base_url: \"http://x\"}", "key 'channels[0].type' must be one of"),
        ("admin: {token: \"0123456789abcdef0123\"}\nstore: {sqlite: x}\nprompts: p\nroster: r\nchannels:\n  - {id: a, type: http-inbox, base_url: \"ftp://x\"}", "key 'channels[0].base_url' must be an http"),
        ("admin: {token: \"0123456789abcdef0123\"}\nstore: {sqlite: x}\nprompts: p\nroster: r\nchannels:\n  - {id: a, type: http-inbox, base_url: \"http://x\", poll_interval: soon}", "key 'channels[0].poll_interval' must be a duration"),
        ("admin: [1, 2", "is not valid YAML"),
    ])
    func namesTheKey(text: String, expected: String) throws {
        let path = try write(text)
        #expect {
            _ = try GatewayConfig.load(path: path, environment: [:])
        } throws: { error in
            let description = "\(error)"
            return description.contains(expected) && description.hasPrefix(path)
        }
    }

    @Test("a secret's value never appears in an error")
    func secretsStayOut() throws {
        let path = try write("admin: {token: \"tiny\"}")
        #expect { _ = try GatewayConfig.load(path: path, environment: [:]) } throws: { !"\($0)".contains("tiny") }
    }
}
