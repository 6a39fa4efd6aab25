import FirstaskApp
import FirstaskChannels
import FirstaskClassifier
import FirstaskCurl
import FirstaskDesk
import FirstaskTesting
import Foundation
import Testing

/// Waits until `condition` holds on a fresh scrape of `gateway`, or `timeout` passes; returns the last scrape.
func scrape(_ gateway: Gateway, until condition: (String) -> Bool = { _ in true }, timeout: Duration = .seconds(10)) async throws
    -> String
{
    let deadline = ContinuousClock.now + timeout
    var text = await gateway.metricsExposition()
    while !condition(text), ContinuousClock.now < deadline {
        try await Task.sleep(until: .now + .milliseconds(20))
        text = await gateway.metricsExposition()
    }
    return text
}

private let sms = ["channel": "sms"]

@Suite("Metrics: every metric moves when its event happens")
struct MetricsTests {
    @Test("a gateway's traffic on loopback moves the inbound, ticket, classifier, outbox, poll and deadline metrics")
    func gatewayTraffic() async throws {
        let folder = try RepositoryFiles.temporaryFolder("metrics")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var options = LoopbackRig.Options(folder: folder, promptsPath: RepositoryFiles.prompts, rosterPath: RepositoryFiles.roster)
        let clock = FakeClock(DeskHarness.day)
        options.clock = clock
        options.adminServer = false
        try await LoopbackRig.with(options, logger: quietLogger()) { rig in
            let gateway = rig.gateway
            var text = try await scrape(gateway)
            #expect(PrometheusText.value(text, "firstask_inbound_received_total", sms) == 0)
            #expect(PrometheusText.value(text, "firstask_build_info", ["version": GatewayMetrics.buildVersion]) == 1)
            #expect(PrometheusText.value(text, "firstask_rules_info", ["version": gateway.reloader.rulesVersion]) == 1)

            // Two residents write: stored, classified, opened, acknowledged.
            rig.inbox.inject(from: "+8613911110001", text: "3栋2单元501厨房水管漏水")
            rig.inbox.inject(from: "+447700900123", text: "The lift in Block 2 is stuck between floors, Flat 1203")
            #expect(try await rig.settle())
            text = try await scrape(gateway)
            #expect(PrometheusText.value(text, "firstask_inbound_received_total", sms) == 2)
            #expect(PrometheusText.value(text, "firstask_classify_duration_seconds_count") == 2)
            let tickets = try await gateway.store.tickets(.all)
            #expect(tickets.count == 2)
            for ticket in tickets {
                let labels = ["category": ticket.category.rawValue, "severity": ticket.severity.rawValue]
                let expected = tickets.filter { $0.category == ticket.category && $0.severity == ticket.severity }.count
                #expect(PrometheusText.value(text, "firstask_tickets_opened_total", labels) == Double(expected), "\(labels)")
            }
            #expect(PrometheusText.sum(text, "firstask_tickets_opened_total") == 2)
            let sent = try await gateway.store.outbound(status: .sent).count
            #expect(sent >= 2)
            #expect(PrometheusText.value(text, "firstask_outbox_sent_total", sms) == Double(sent))
            #expect(PrometheusText.value(text, "firstask_send_duration_seconds_count", sms) == Double(sent))
            #expect(PrometheusText.value(text, "firstask_outbox_pending", sms) == 0)
            #expect(PrometheusText.value(text, "firstask_outbox_oldest_pending_seconds", sms) == 0)
            #expect(try #require(PrometheusText.value(text, "firstask_poll_last_success_age_seconds", sms)) >= 0)

            // The inbox hands back a message already stored and an item without a sender.
            let first = rig.inbox.inbound[0]
            rig.inbox.failNext(.messages, .rawItems([
                JSONText.object(["id": first.id, "from": first.from, "text": first.text]), #"{"id": "broken-1"}"#,
            ]))
            // Every message served that was already stored is a duplicate: the scripted one, and any page a
            // slow poll had to fetch again (at-least-once delivery), so the count is checked against the inbox's.
            let expectedDuplicates = { Double(rig.inbox.servedMessages + 1 - 2) }
            text = try await scrape(gateway) { PrometheusText.value($0, "firstask_inbound_duplicates_total", sms) == expectedDuplicates() }
            #expect(PrometheusText.value(text, "firstask_inbound_duplicates_total", sms) == expectedDuplicates())
            #expect(try #require(PrometheusText.value(text, "firstask_inbound_duplicates_total", sms)) >= 1)
            #expect(PrometheusText.value(text, "firstask_inbound_rejected_total", ["channel": "sms", "reason": "missing_field"]) == 1)
            #expect(PrometheusText.value(text, "firstask_inbound_received_total", sms) == 2)

            // A poll fails once.
            rig.inbox.failNext(.messages, .status(500))
            text = try await scrape(gateway) { PrometheusText.value($0, "firstask_poll_errors_total", sms) == 1 }
            #expect(PrometheusText.value(text, "firstask_poll_errors_total", sms) == 1)

            // A send the inbox refuses for good is a dead letter (the on-duty staff's alert is sent as well).
            rig.inbox.failNext(.send, .status(400))
            rig.inbox.inject(from: "+8613911110003", text: "5栋1单元302 楼道灯坏了")
            #expect(try await rig.settle())
            text = try await scrape(gateway)
            #expect(PrometheusText.value(text, "firstask_outbox_dead_total", sms) == 1)
            #expect(try await gateway.store.outbound(status: .dead).count == 1)
            let sentNow = try await gateway.store.outbound(status: .sent).count
            #expect(PrometheusText.value(text, "firstask_outbox_sent_total", sms) == Double(sentNow))

            // Sends that keep failing leave rows pending; the backlog gauges show how many and how old.
            rig.inbox.failNext(.send, .status(503), count: 1000)
            rig.inbox.inject(from: "+8613911110004", text: "6栋3单元1101 空调外机漏水")
            text = try await scrape(gateway) { (PrometheusText.value($0, "firstask_outbox_pending", sms) ?? 0) >= 2 }
            let pending = try await gateway.store.outbound(status: .pending)
            #expect(pending.count >= 2)
            #expect(PrometheusText.value(text, "firstask_outbox_pending", sms) == Double(pending.count))
            clock.advance(by: 120)
            let oldest = try #require(pending.map(\.createdAt).min())
            text = try await scrape(gateway)
            #expect(PrometheusText.value(text, "firstask_outbox_oldest_pending_seconds", sms) == clock.now.timeIntervalSince(oldest))

            // Nobody touches the tickets for hours: deadlines are missed, reminders and escalations go out.
            clock.advance(by: 6 * 3600)
            _ = try await gateway.deskWorker.runClocks()
            text = try await scrape(gateway)
            let after = try await gateway.store.tickets(.all)
            for deadline in Deadline.allCases {
                let missed = after.filter { $0.escalations[deadline] != nil }.count
                #expect(PrometheusText.sum(text, "firstask_sla_breaches_total", ["clock": deadline.rawValue]) == Double(missed),
                        "\(deadline)")
            }
            #expect(PrometheusText.sum(text, "firstask_sla_breaches_total") > 0)
            var reminded = 0
            var escalated = 0
            for ticket in after {
                let events = try #require(try await gateway.store.ticket(ref: ticket.ref)).events
                reminded += events.filter { $0.kind == .reminded }.count
                escalated += events.filter { $0.kind == .escalated }.count
            }
            #expect(reminded > 0 && escalated > 0)
            #expect(PrometheusText.sum(text, "firstask_escalations_total", ["level": "reminder"]) == Double(reminded))
            #expect(PrometheusText.sum(text, "firstask_escalations_total", ["level": "head"])
                + PrometheusText.sum(text, "firstask_escalations_total", ["level": "leadership"]) == Double(escalated))

            // No label anywhere holds a phone number, a text or a token: only the known label values.
            let categories = Set(FirstaskClassifier.Category.allCases.map(\.rawValue))
            let severities = Set(Severity.allCases.map(\.rawValue))
            let allowed: [String: Set<String>] = [
                "channel": ["sms"], "category": categories, "severity": severities, "clock": Set(Deadline.allCases.map(\.rawValue)),
                "level": ["reminder", "head", "leadership"], "reason": Set(RejectionReason.codes),
                "version": [GatewayMetrics.buildVersion, gateway.reloader.rulesVersion],
            ]
            for sample in PrometheusText.samples(text) {
                for (label, value) in sample.labels where label != "le" {
                    #expect(allowed[label]?.contains(value) == true, "\(sample.name): \(label)=\(value)")
                }
            }
            #expect(!text.contains("+86") && !text.contains("漏水") && !text.contains(rig.adminToken))
        }
    }

    @Test("metrics.listen serves /metrics, /healthz and /readyz on a listener of its own; the admin listener then has no /metrics")
    func separateListener() async throws {
        let folder = try RepositoryFiles.temporaryFolder("metrics-listen")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let metricsPort = try KannelRig.freePort()
        var config = GatewayConfig(
            listenHost: "127.0.0.1", listenPort: 0, adminToken: "metrics-listen-token-0123", sqlitePath: folder + "/firstask.sqlite",
            promptsPath: RepositoryFiles.prompts, rosterPath: RepositoryFiles.roster,
            channels: [HTTPInboxSettings(id: "sms", baseURL: "http://127.0.0.1:\(try KannelRig.freePort())", pollInterval: 1)])
        config.metrics = MetricsSettings(listen: ListenAddress(host: "127.0.0.1", port: metricsPort))
        try await withGateway(config) { _, adminPort in
            try await KannelRig.waitForPort(metricsPort)
            let client = CurlHTTPClient()
            defer { client.shutdown() }
            let metrics = try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(metricsPort)/metrics"))
            #expect(metrics.status == 200)
            #expect(PrometheusText.value(String(decoding: metrics.body, as: UTF8.self), "firstask_build_info") == 1)
            #expect(try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(metricsPort)/healthz")).status == 200)
            #expect([200, 503].contains(try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(metricsPort)/readyz")).status))
            #expect(try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(adminPort)/metrics")).status == 404)
            #expect(try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(adminPort)/healthz")).status == 200)
        }
    }

    @Test("flood protection, duplicates and unreadable items are counted where every channel's messages are stored")
    func intakeCounts() async throws {
        let metrics = GatewayMetrics()
        let store = InMemoryStore()
        let intake = Intake(store: store, flood: FloodPolicy(maxPerWindow: 1, window: 60), clock: FakeClock(DeskHarness.day),
                            deskBell: Doorbell(), dispatcherBell: Doorbell(), logger: quietLogger(), metrics: metrics)
        func message(_ id: String) -> InboundMessage {
            InboundMessage(channel: "kannel", providerID: id, from: "+8613900000009", text: "电梯坏了", receivedAt: DeskHarness.day)
        }
        let rejected = [
            RejectedInbound(channel: "kannel", raw: "x", reason: "text is longer than 4096 bytes", receivedAt: DeskHarness.day),
            RejectedInbound(channel: "kannel", raw: "x", reason: "binary or unknown charset 'x-foo' is not text", receivedAt: DeskHarness.day),
        ]
        try await intake.store(InboundBatch(channel: "kannel", messages: [message("a"), message("b")], rejected: rejected, cursor: nil))
        try await intake.store(InboundBatch(channel: "kannel", messages: [message("b")], cursor: nil))
        let text = metrics.exposition()
        let kannel = ["channel": "kannel"]
        #expect(PrometheusText.value(text, "firstask_inbound_received_total", kannel) == 2)
        #expect(PrometheusText.value(text, "firstask_inbound_throttled_total", kannel) == 1)
        #expect(PrometheusText.value(text, "firstask_inbound_duplicates_total", kannel) == 1)
        #expect(PrometheusText.value(text, "firstask_inbound_rejected_total", ["channel": "kannel", "reason": "too_long"]) == 1)
        #expect(PrometheusText.value(text, "firstask_inbound_rejected_total", ["channel": "kannel", "reason": "not_text"]) == 1)
        #expect(!text.contains("x-foo") && !text.contains("+86"))
    }

    @Test("rejection reasons become a small set of codes, never the reason's own words")
    func rejectionCodes() {
        #expect(RejectionReason.code(for: "message 17 text is longer than 4096 bytes") == "too_long")
        #expect(RejectionReason.code(for: "message 17 has empty text") == "empty")
        #expect(RejectionReason.code(for: "empty text") == "empty")
        #expect(RejectionReason.code(for: "media without text") == "not_text")
        #expect(RejectionReason.code(for: "binary or unknown charset 'koi8' is not text") == "not_text")
        #expect(RejectionReason.code(for: "item is not a JSON object") == "malformed")
        #expect(RejectionReason.code(for: "message 17 has no sender (from)") == "missing_field")
        #expect(RejectionReason.code(for: "no update_id") == "missing_field")
        #expect(RejectionReason.code(for: "text is not valid UTF-16BE") == "not_text")
        #expect(RejectionReason.code(for: "text is not valid UTF-8") == "not_text")
        #expect(RejectionReason.code(for: "the sender address is not 1–64 printable ASCII characters") == "bad_sender")
        #expect(RejectionReason.code(for: "something new +8613900000000") == "other")
    }

    @Test("the rules-version series follows a reload: the old version's series goes, the new one's reads 1")
    func rulesInfoFollowsReload() throws {
        let metrics = GatewayMetrics()
        let health = ChannelHealth(polled: ["sms"], others: [])
        metrics.refresh(channels: ["sms"], backlog: [], health: health, rulesVersion: "v1", now: DeskHarness.day)
        #expect(PrometheusText.value(metrics.exposition(), "firstask_rules_info", ["version": "v1"]) == 1)
        #expect(PrometheusText.value(metrics.exposition(), "firstask_poll_last_success_age_seconds", sms) == -1)
        health.pollSucceeded("sms", at: Date())
        metrics.refresh(channels: ["sms"], backlog: [], health: health, rulesVersion: "v2", now: DeskHarness.day)
        let text = metrics.exposition()
        #expect(PrometheusText.value(text, "firstask_rules_info", ["version": "v1"]) == nil)
        #expect(PrometheusText.value(text, "firstask_rules_info", ["version": "v2"]) == 1)
        #expect(try #require(PrometheusText.value(text, "firstask_poll_last_success_age_seconds", sms)) >= 0)
    }
}
