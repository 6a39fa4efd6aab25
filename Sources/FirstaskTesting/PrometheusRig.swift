import FirstaskCurl
import Foundation

/// A real Prometheus server on loopback for live tests, scraping one target every second, with its data in
/// a test folder. Needs Debian's `prometheus` package (which also brings `promtool`).
public final class PrometheusRig: Sendable {
    public static let prometheus = "/usr/bin/prometheus"
    public static let promtool = "/usr/bin/promtool"

    /// Why tests with the real Prometheus tools cannot run here, or `nil` when they can.
    public static var missing: String? {
        let absent = [prometheus, promtool].filter { !FileManager.default.isExecutableFile(atPath: $0) }
        return absent.isEmpty ? nil : "prometheus tools missing (\(absent.joined(separator: ", "))): apt-get install prometheus"
    }

    public let port: Int
    public let folder: String
    private let process: Process
    private let client = CurlHTTPClient()

    /// Starts Prometheus in `folder` scraping `http://127.0.0.1:<targetPort>/metrics`; returns once it is ready.
    public init(folder: String, targetPort: Int) async throws {
        self.folder = folder
        port = try KannelRig.freePort()
        try """
            global: {scrape_interval: 1s, evaluation_interval: 1s}
            scrape_configs:
              - job_name: firstask
                metrics_path: /metrics
                static_configs: [{targets: ["127.0.0.1:\(targetPort)"]}]
            """.write(toFile: folder + "/prometheus.yml", atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.prometheus)
        process.arguments = [
            "--config.file=\(folder)/prometheus.yml", "--storage.tsdb.path=\(folder)/data",
            "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
        ]
        FileManager.default.createFile(atPath: folder + "/prometheus.log", contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: folder + "/prometheus.log"))
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let ready = try? await client.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/-/ready", timeout: 2)),
               ready.status == 200 { return }
            guard process.isRunning else { break }
            try await Task.sleep(until: .now + .milliseconds(100))
        }
        stop()
        throw KannelRigError(message: "prometheus did not become ready on 127.0.0.1:\(port)\n\(logs())")
    }

    /// The value of the instant query `expression` (the first series), or `nil` when it has no result yet.
    public func query(_ expression: String) async throws -> Double? {
        let encoded = expression.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? expression
        let response = try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/api/v1/query?query=\(encoded)", timeout: 5))
        guard response.status == 200,
              let object = try JSONSerialization.jsonObject(with: response.body) as? [String: Any],
              object["status"] as? String == "success",
              let data = object["data"] as? [String: Any],
              let first = (data["result"] as? [[String: Any]])?.first,
              let value = first["value"] as? [Any], value.count == 2, let text = value[1] as? String
        else { return nil }
        return Double(text)
    }

    /// Whether the target's last scrape succeeded (`up == 1`).
    public func targetUp() async throws -> Bool { try await query("up{job=\"firstask\"}") == 1 }

    public func logs() -> String { (try? String(contentsOfFile: folder + "/prometheus.log", encoding: .utf8)) ?? "" }

    /// Runs `promtool` with `arguments` (standard input from `input` when given); returns its exit status and output.
    public static func promtool(_ arguments: [String], input: Data? = nil, in directory: String? = nil) throws
        -> (status: Int32, output: String)
    {
        try ToolRun.run(promtool, arguments, input: input, in: directory)
    }

    /// Stops Prometheus (TERM, then KILL after 5 s).
    public func stop() {
        if process.isRunning { process.terminate() }
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        client.shutdown()
    }
}
