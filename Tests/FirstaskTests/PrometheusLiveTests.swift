import FirstaskApp
import FirstaskCurl
import FirstaskTesting
import Foundation
import Testing

/// `firstask serve` as a process, scraped by the real Prometheus tools (Debian's `prometheus` package; `.ci/run`
/// installs it, so on CI these run; without it they are skipped, and say why).
@Suite("Prometheus for real: promtool on a live scrape, a Prometheus server scraping serve",
       .enabled(if: PrometheusRig.missing == nil, "prometheus tools missing: apt-get install prometheus"))
struct PrometheusLiveTests {
    @Test("""
        a running serve passes promtool check metrics; Prometheus scrapes it and reads firstask_inbound_received_total \
        back through its query API as messages arrive; JSON logs carry no phone number or text
        """)
    func prometheusScrapesServe() async throws {
        let folder = try RepositoryFiles.temporaryFolder("prometheus-live")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await LiveServer.withInbox { inbox, inboxPort in
            let port = try KannelRig.freePort()
            let config = try writeGatewayConfig(in: folder, inboxPort: inboxPort, channelOptions: "poll_interval: 0.1, wait: 1",
                                                extra: "log: {level: info, format: json}")
            let text = try String(contentsOfFile: config, encoding: .utf8)
                .replacingOccurrences(of: "127.0.0.1:0", with: "127.0.0.1:\(port)")
            try text.write(toFile: config, atomically: true, encoding: .utf8)
            let log = folder + "/serve.log"
            let serve = try launch(["serve", "--config", config], log: log)
            defer { if serve.isRunning { kill(serve.processIdentifier, SIGKILL) } }
            try await KannelRig.waitForPort(port, timeout: .seconds(60))

            let residents = (0..<5).map { "+8613712345\(String(format: "%03d", $0))" }
            for (index, resident) in residents.enumerated() {
                inbox.inject(from: resident, text: "\(index + 1)栋2单元501 厨房水管漏水")
            }
            let client = CurlHTTPClient()
            defer { client.shutdown() }
            // Stored, opened and acknowledged: every metric has had its event.
            let scrape = try await poll(client, "http://127.0.0.1:\(port)/metrics") {
                let text = String(decoding: $0.body, as: UTF8.self)
                return PrometheusText.value(text, "firstask_inbound_received_total", ["channel": "sms"]) == 5
                    && PrometheusText.sum(text, "firstask_tickets_opened_total") == 5
                    && (PrometheusText.value(text, "firstask_outbox_sent_total", ["channel": "sms"]) ?? 0) >= 5
            }
            #expect(scrape.status == 200)
            #expect(scrape.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
            let exposition = String(decoding: scrape.body, as: UTF8.self)
            #expect(PrometheusText.value(exposition, "firstask_inbound_received_total", ["channel": "sms"]) == 5)

            let lint = try PrometheusRig.promtool(["check", "metrics"], input: scrape.body)
            #expect(lint.status == 0, "promtool check metrics:\n\(lint.output)")
            for name in MetricName.allCases {
                #expect(exposition.contains("# TYPE \(name.rawValue) "), "\(name.rawValue) is not exported")
            }

            let prometheus = try await PrometheusRig(folder: folder, targetPort: port)
            defer { prometheus.stop() }
            let query = "firstask_inbound_received_total{channel=\"sms\"}"
            #expect(try await eventually(timeout: .seconds(30)) { try await prometheus.query(query) == 5 }, "Prometheus never read 5:\n\(prometheus.logs())")
            #expect(try await prometheus.targetUp())

            inbox.inject(from: "+8613712345999", text: "The lift in Block 2 is stuck, Flat 1203")
            inbox.inject(from: "+8613712345998", text: "7栋1单元202 楼道灯坏了")
            #expect(try await eventually(timeout: .seconds(30)) { try await prometheus.query(query) == 7 }, "Prometheus never read 7:\n\(prometheus.logs())")
            #expect(try await eventually(timeout: .seconds(30)) { (try await prometheus.query("sum(firstask_tickets_opened_total)") ?? 0) == 7 })

            kill(serve.processIdentifier, SIGTERM)
            #expect(try await waitForExit(serve, timeout: .seconds(30)) == 0)

            // Every line of the log is a JSON object with the stable keys, and none holds a resident's number or text.
            let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
            #expect(lines.count >= 2)
            for line in lines {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
                #expect(Set(object.keys) == ["time", "level", "label", "message", "metadata"], "\(line)")
                #expect(!line.contains("+86137") && !line.contains("13712345") && !line.contains("漏水") && !line.contains("lift"),
                        "\(line)")
            }
            #expect(lines.contains { $0.contains("\"message\":\"gateway ready\"") })
        }
    }
}
