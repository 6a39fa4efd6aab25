@testable import FirstaskApp
import FirstaskChannels
import FirstaskCurl
import FirstaskTesting
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// Builds a gateway from `config`, runs it with its admin listener on a free port for `body`, then stops it.
func withGateway<T: Sendable>(_ config: GatewayConfig, _ body: @Sendable (Gateway, Int) async throws -> T) async throws -> T {
    try await running(try await Gateway.build(config: config, logger: quietLogger()), body)
}

/// Runs `gateway`'s services, calls `body` with the admin listener's port once it listens, then shuts the
/// gateway down gracefully (also when `body` throws) and closes its HTTP client.
func running<T: Sendable>(_ gateway: Gateway, _ body: @Sendable (Gateway, Int) async throws -> T) async throws -> T {
    let (ports, sink) = AsyncStream.makeStream(of: Int.self)
    let group = ServiceGroup(services: gateway.services { port in sink.yield(port) }, logger: quietLogger())
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        do {
            let value = try await body(gateway, port)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            gateway.client.shutdown()
            return value
        } catch {
            await group.triggerGracefulShutdown()
            gateway.client.shutdown()
            throw error
        }
    }
}

/// GETs `url` until `condition` holds on the response or `timeout` passes; returns the last response.
func poll(_ client: CurlHTTPClient, _ url: String, timeout: Duration = .seconds(15), until condition: (HTTPResponse) -> Bool)
    async throws -> HTTPResponse
{
    let deadline = ContinuousClock.now + timeout
    var response = try await client.execute(HTTPRequest(url: url))
    while !condition(response), ContinuousClock.now < deadline {
        try await Task.sleep(until: .now + .milliseconds(50))
        response = try await client.execute(HTTPRequest(url: url))
    }
    return response
}

@Suite("Health: /healthz and /readyz")
struct ReadinessTests {
    @Test("/readyz answers 503 with a JSON reason while the inbox is unreachable and 200 once it answers; /healthz answers throughout")
    func readyzFollowsTheInbox() async throws {
        let folder = try RepositoryFiles.temporaryFolder("readyz")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let inboxPort = try KannelRig.freePort()
        let config = GatewayConfig(
            listenHost: "127.0.0.1", listenPort: 0, adminToken: "readiness-test-token-0123", sqlitePath: folder + "/firstask.sqlite",
            promptsPath: RepositoryFiles.prompts, rosterPath: RepositoryFiles.roster,
            channels: [HTTPInboxSettings(id: "sms", baseURL: "http://127.0.0.1:\(inboxPort)", pollInterval: 0.1, wait: 1,
                                         limit: 100, requestTimeout: 2)])
        try await withGateway(config) { gateway, port in
            let client = CurlHTTPClient()
            defer { client.shutdown() }
            let base = "http://127.0.0.1:\(port)"
            #expect(try await client.execute(HTTPRequest(url: base + "/healthz")).status == 200)

            let down = try await poll(client, base + "/readyz") { response in
                (try? JSONSerialization.jsonObject(with: response.body) as? [String: Any])
                    .flatMap { ($0["channels"] as? [String: Any])?["sms"] as? [String: Any] }?["last_poll_failure_age_s"] != nil
            }
            #expect(down.status == 503)
            #expect(down.header("Content-Type")?.hasPrefix("application/json") == true)
            let body = try #require(try JSONSerialization.jsonObject(with: down.body) as? [String: Any])
            #expect(body["ready"] as? Bool == false)
            #expect((body["reason"] as? String)?.contains("channel sms") == true)
            #expect((body["store"] as? [String: Any])?["ok"] as? Bool == true)
            #expect((body["prompts"] as? [String: Any])?["ok"] as? Bool == true)
            #expect(try await client.execute(HTTPRequest(url: base + "/healthz")).status == 200)

            // The inbox comes up on its port: the next poll succeeds and the gateway is ready.
            try await LiveServer.with({ onRunning in SimulatedInbox().server(port: inboxPort, onRunning: onRunning) }) { _ in
                let up = try await poll(client, base + "/readyz") { $0.status == 200 }
                #expect(up.status == 200)
                let ready = try #require(try JSONSerialization.jsonObject(with: up.body) as? [String: Any])
                #expect(ready["ready"] as? Bool == true)
                #expect(ready["rules_version"] as? String == gateway.reloader.rulesVersion)
            }
        }
    }

    @Test("readiness: the store's error, missing prompts and a polled channel whose last poll failed each make it unready")
    func evaluate() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        var healthy = ChannelHealth.State(polled: true)
        healthy.lastPollSuccess = now.addingTimeInterval(-2)
        var failing = healthy
        failing.lastPollFailure = now.addingTimeInterval(-1)
        var webhook = ChannelHealth.State()
        webhook.lastSendFailure = now.addingTimeInterval(-5)

        let ready = Readiness.evaluate(storeError: nil, rulesVersion: "v1", channels: ["sms": healthy, "kannel": webhook], now: now)
        #expect(ready.ready && ready.reason == nil)
        #expect(ready.channels["sms"]?.lastPollSuccessAgeSeconds == 2)
        #expect(ready.channels["kannel"]?.ok == true && ready.channels["kannel"]?.lastSendFailureAgeSeconds == 5)

        let failed = Readiness.evaluate(storeError: nil, rulesVersion: "v1", channels: ["sms": failing], now: now)
        #expect(!failed.ready && failed.reason == "channel sms: the last poll failed")
        let never = Readiness.evaluate(storeError: nil, rulesVersion: "v1", channels: ["sms": ChannelHealth.State(polled: true)], now: now)
        #expect(!never.ready && never.reason == "channel sms: not polled yet")
        let store = Readiness.evaluate(storeError: "disk I/O error", rulesVersion: nil, channels: ["sms": healthy], now: now)
        #expect(!store.ready && store.reason == "store: disk I/O error; prompts: no prompts loaded")
    }
}

@Suite("Logs: log.level and log.format")
struct LogFormatTests {
    @Test("a JSON log line has the stable keys in order, nested metadata as JSON, and escapes what it must")
    func jsonLine() throws {
        let time = Date(timeIntervalSince1970: 1_800_000_000.25)
        let line = JSONLogHandler.line(time: time, level: .warning, label: "firstask", message: "poll \"failed\"\nretrying",
                                       metadata: ["channel": "sms", "attempt": "3", "nested": ["a": ["1", "2"]]])
        #expect(line.hasSuffix("}\n") && !line.dropLast().contains("\n"))
        #expect(line.hasPrefix(#"{"time":"2027-01-15T08:00:00.250Z","level":"warning","label":"firstask","message":"#))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["time", "level", "label", "message", "metadata"])
        #expect(object["message"] as? String == "poll \"failed\"\nretrying")
        let metadata = try #require(object["metadata"] as? [String: Any])
        #expect(metadata["channel"] as? String == "sms")
        #expect((metadata["nested"] as? [String: Any])?["a"] as? [String] == ["1", "2"])
    }

    @Test("the JSON handler writes events at or above its level and merges logger metadata")
    func jsonHandlerLevels() throws {
        let lines = LockedLines()
        var handler = JSONLogHandler(label: "firstask.test") { lines.append($0) }
        handler.logLevel = .notice
        handler[metadataKey: "channel"] = "sms"
        let logger = Logger(label: "firstask.test", factory: { _ in handler })
        logger.info("not written")
        logger.error("written", metadata: ["attempt": "2"])
        let written = lines.all
        #expect(written.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(written[0].utf8)) as? [String: Any])
        #expect(object["level"] as? String == "error")
        #expect(object["metadata"] as? [String: String] == ["attempt": "2", "channel": "sms"])
    }

    @Test("at info, a gateway's logs hold no phone number, text or token, through failed polls, dead letters and unreadable items")
    func privacyAtInfo() async throws {
        let folder = try RepositoryFiles.temporaryFolder("log-privacy")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let lines = LockedLines()
        var handler = JSONLogHandler(label: "firstask") { lines.append($0) }
        handler.logLevel = .info
        let logger = Logger(label: "firstask", factory: { _ in handler })
        let options = LoopbackRig.Options(folder: folder, promptsPath: RepositoryFiles.prompts, rosterPath: RepositoryFiles.roster)
        try await LoopbackRig.with(options, logger: logger) { rig in
            rig.inbox.failNext(.send, .status(400))
            rig.inbox.inject(from: "+8613955550001", text: "3栋2单元501厨房水管漏水")
            #expect(try await rig.settle())
            rig.inbox.failNext(.messages, .rawItems([#"{"id": "b1", "from": "+8613955550002"}"#]))
            rig.inbox.failNext(.messages, .status(500))
            rig.inbox.inject(from: "+8613955550003", text: "The lift in Block 2 is stuck between floors")
            #expect(try await rig.settle())
            let staffPhones = try await rig.gateway.store.roster().staff.map(\.address)
            #expect(!staffPhones.isEmpty)
            let written = lines.all
            #expect(written.contains { $0.contains("dead letter") }, "the dead letter was not logged")
            #expect(written.contains { $0.contains("poll failed") }, "the failed poll was not logged")
            for line in written {
                for secret in ["+86139555", "13955550", "漏水", "lift", rig.adminToken] + staffPhones {
                    #expect(!line.contains(secret), "\(line)")
                }
            }
        }
    }

    @Test("log.level and log.format are read and checked; a bad value names the key")
    func config() throws {
        let base = """
            admin: {token: "0123456789abcdef0123"}
            store: {sqlite: "/tmp/x.sqlite"}
            prompts: "p"
            roster: "r.yaml"
            channels: [{id: sms, type: http-inbox, base_url: "http://127.0.0.1:9000"}]
            """
        func load(_ extra: String, environment: [String: String] = [:]) throws -> GatewayConfig {
            let folder = try RepositoryFiles.temporaryFolder("log-config")
            defer { try? FileManager.default.removeItem(atPath: folder) }
            try (base + "\n" + extra).write(toFile: folder + "/c.yaml", atomically: true, encoding: .utf8)
            return try GatewayConfig.load(path: folder + "/c.yaml", environment: environment)
        }
        #expect(try load("").log == LogSettings(level: .info, format: .text))
        #expect(try load("log: {level: debug, format: json}").log == LogSettings(level: .debug, format: .json))
        #expect(try load("log: {level: info}", environment: ["FIRSTASK_LOG_LEVEL": "error"]).log.level == .error)
        #expect(try load("metrics: {listen: \"127.0.0.1:9464\"}").metrics.listen == ListenAddress(host: "127.0.0.1", port: 9464))
        #expect(try load("").metrics.listen == nil)
        #expect(throws: ConfigError.self) { try load("log: {format: xml}") }
        do {
            _ = try load("log: {level: loud}")
            Issue.record("a bad log.level was accepted")
        } catch let error as ConfigError {
            #expect(error.key == "log.level")
        }
        do {
            _ = try load("metrics: {listen: nowhere}")
            Issue.record("a bad metrics.listen was accepted")
        } catch let error as ConfigError {
            #expect(error.key == "metrics.listen")
        }
    }
}

/// Lines a test log handler wrote.
final class LockedLines: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}
