import FirstaskApp
import FirstaskChannels
import FirstaskCurl
import FirstaskDesk
import FirstaskTesting
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// Collects log lines (message + metadata) so tests can check what is logged.
final class CapturedLogs: Sendable {
    let lines = Mutex<[String]>([])

    func logger(level: Logger.Level = .info) -> Logger {
        var logger = Logger(label: "firstask.test-captured") { _ in Handler(logs: self) }
        logger.logLevel = level
        return logger
    }

    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    struct Handler: LogHandler {
        let logs: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String,
                 function: String, line: UInt) {
            let all = self.metadata.merging(metadata ?? [:]) { $1 }
            logs.lines.withLock { $0.append("\(level) \(message) \(all)") }
        }
    }
}

/// The in-process gateway with a kannel channel `sms` and a twilio channel `tw` (no provider behind either)
/// on a free port, for webhook edge tests. The URL given to `body` is the kannel channel's webhook.
func withWebhookGateway<T: Sendable>(
    logs: CapturedLogs, maxBody: Int = 4096, _ body: @Sendable (Gateway, String, CurlHTTPClient) async throws -> T
) async throws -> T {
    let folder = try RepositoryFiles.temporaryFolder("webhook")
    defer { try? FileManager.default.removeItem(atPath: folder) }
    var config = GatewayConfig(listenHost: "127.0.0.1", listenPort: 0, adminToken: "webhook-test-admin-token",
                               sqlitePath: folder + "/firstask.sqlite", promptsPath: RepositoryFiles.prompts,
                               rosterPath: RepositoryFiles.roster, channels: [])
    config.providerChannels = [.kannel(KannelSettings(id: "sms", sendsmsURL: "http://127.0.0.1:9/cgi-bin/sendsms", username: "u",
                                                      password: "kannel-password-xyz", secret: "hook-secret")),
                              .twilio(TwilioSettings(id: "tw", accountSID: "AC1", authToken: twilioTestToken, from: "+1",
                                                     publicURL: twilioTestURL, apiBase: "http://127.0.0.1:9"))]
    config.intake.webhookMaxBytes = maxBody
    let gateway = try await Gateway.build(config: config, logger: logs.logger())
    let client = CurlHTTPClient()
    defer { client.shutdown() }
    return try await running(gateway) { gateway, port in
        try await body(gateway, "http://127.0.0.1:\(port)/webhooks/sms", client)
    }
}

let twilioTestToken = "twilio-auth-token-test"
let twilioTestURL = "https://gw.example/webhooks/tw"

@Suite("Webhook intake at the HTTP edge")
struct WebhookTests {
    static let mo = "?id=uuid-1&from=%2B8613912345678&to=10086&text=%E5%8E%A8%E6%88%BF%E6%BC%8F%E6%B0%B4&charset=UTF-8&coding=0&time=1795939265&secret=hook-secret"

    @Test("2xx only once stored; a redelivery (same %I) answers 2xx and changes nothing")
    func storedThenAnswered() async throws {
        let logs = CapturedLogs()
        try await withWebhookGateway(logs: logs) { gateway, url, client in
            let first = try await client.execute(HTTPRequest(url: url + Self.mo))
            #expect(first.status == 200)
            // Answered means stored: the message is there the moment the answer is.
            #expect(try await gateway.store.inboundCount() == 1)
            let again = try await client.execute(HTTPRequest(url: url + Self.mo))
            #expect(again.status == 200)
            #expect(try await gateway.store.inboundCount() == 1)
            let ticketed = try await eventually(timeout: .seconds(10)) { try await gateway.store.tickets(.all).count == 1 }
            #expect(ticketed)
        }
    }

    @Test("wrong method 405, oversized body 413, bad input 400, bad secret 403, unknown channel 404 — each logged with a reason, no numbers, bodies or secrets")
    func refusals() async throws {
        let logs = CapturedLogs()
        try await withWebhookGateway(logs: logs, maxBody: 2048) { gateway, url, client in
            let delete = try await client.execute(HTTPRequest(method: .delete, url: url + Self.mo))
            #expect(delete.status == 405)
            #expect(delete.header("Allow") == "GET, POST")
            let big = try await client.execute(HTTPRequest(method: .post, url: url + Self.mo, body: Data(repeating: 0x41, count: 5000)))
            #expect(big.status == 413)
            let missing = try await client.execute(HTTPRequest(url: url + "?from=%2B8613912345678&text=x&secret=hook-secret"))
            #expect(missing.status == 400)
            let forged = try await client.execute(HTTPRequest(url: url + Self.mo.replacingOccurrences(of: "hook-secret", with: "guess")))
            #expect(forged.status == 403)
            let unknown = try await client.execute(HTTPRequest(url: url.replacingOccurrences(of: "/sms", with: "/nope") + Self.mo))
            #expect(unknown.status == 404)
            #expect(try await gateway.store.inboundCount() == 0)

            let text = logs.text
            #expect(text.components(separatedBy: "webhook call refused").count - 1 == 5, "\(text)")
            for reason in ["\"status\": 405", "\"status\": 413", "\"status\": 400", "\"status\": 403", "\"status\": 404"] {
                #expect(text.contains(reason), "no log for \(reason)")
            }
            for secret in ["8613912345678", "厨房", "hook-secret", "kannel-password-xyz", "guess"] {
                #expect(!text.contains(secret), "log leaks \(secret)")
            }
        }
    }

    @Test("a phone flooding the webhook has every message stored, but beyond the limit none reaches the desk — one notice")
    func flood() async throws {
        let logs = CapturedLogs()
        try await withWebhookGateway(logs: logs) { gateway, url, client in
            for index in 0..<30 {
                let call = Self.mo.replacingOccurrences(of: "id=uuid-1", with: "id=flood-\(index)")
                    .replacingOccurrences(of: "%B4&charset", with: "%B4+no\(index)x&charset")
                #expect(try await client.execute(HTTPRequest(url: url + call)).status == 200)
            }
            #expect(try await gateway.store.inboundCount() == 30)
            #expect(try await gateway.channelStore.throttledCount() == 10)
            let handled = try await eventually(timeout: .seconds(20)) {
                let unhandled = try await gateway.store.pendingInbound(limit: 1).count
                let tickets = try await gateway.store.tickets(.all).count
                return unhandled == 0 && tickets > 0
            }
            #expect(handled)
            // The throttled messages (the last ten) are stored but appear on no ticket.
            var seen = ""
            for ticket in try await gateway.store.tickets(.all) {
                seen += ticket.text
                for event in try #require(try await gateway.store.ticket(ref: ticket.ref)).events { seen += event.text }
            }
            for index in 0..<30 {
                #expect(seen.contains("no\(index)x") == (index < 20), "message \(index)")
            }
            let toFlooder = try await gateway.store.outbound(status: nil).filter { $0.to == "+8613912345678" }
            #expect(toFlooder.filter { $0.text.contains("无需重复发送") }.count == 1)
            #expect(toFlooder.count <= 21, "at most one reply per accepted message, plus the notice")
        }
    }
}
