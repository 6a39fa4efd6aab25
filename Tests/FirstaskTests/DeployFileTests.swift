import FirstaskApp
import FirstaskTesting
import Foundation
import Testing
import Yams

enum SystemdTools {
    static let analyze = "/usr/bin/systemd-analyze"
    static var missing: String? {
        FileManager.default.isExecutableFile(atPath: analyze) ? nil : "\(analyze) missing: apt-get install systemd"
    }
}

private let deploy = RepositoryFiles.root.appendingPathComponent("deploy").path

private func read(_ name: String) throws -> String {
    try String(contentsOfFile: deploy + "/" + name, encoding: .utf8)
}

@Suite("deploy/: the systemd unit, checked by systemd-analyze",
       .enabled(if: SystemdTools.missing == nil, "systemd-analyze missing: apt-get install systemd"))
struct SystemdUnitTests {
    @Test("systemd-analyze verify accepts firstask.service without a single warning")
    func verify() throws {
        // verify insists that ExecStart's binary exists: point the unit's paths at the built binary, nothing else.
        let folder = try RepositoryFiles.temporaryFolder("systemd")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let unit = try read("firstask.service").replacingOccurrences(of: "/usr/local/bin/firstask", with: try firstaskBinary().path)
        try unit.write(toFile: folder + "/firstask.service", atomically: true, encoding: .utf8)
        let result = try ToolRun.run(SystemdTools.analyze, ["verify", folder + "/firstask.service"])
        #expect(result.status == 0, "\(result.output)")
        // Unknown keys and unparsable values are only warnings (exit 0): none may appear.
        #expect(!result.output.contains("firstask.service"), "\(result.output)")
    }

    @Test("the unit runs as its own user, reloads with SIGHUP, stops restarting on exit 78 and is hardened")
    func settings() throws {
        let unit = try read("firstask.service")
        let lines = Set(unit.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
        for expected in [
            "User=firstask", "ExecReload=/bin/kill -HUP $MAINPID", "RestartPreventExitStatus=78", "NoNewPrivileges=yes",
            "ProtectSystem=strict", "ReadWritePaths=/var/lib/firstask", "ProtectHome=yes", "PrivateTmp=yes",
            "CapabilityBoundingSet=", "AmbientCapabilities=",
            "ExecStart=/usr/local/bin/firstask serve --config /etc/firstask/firstask.yaml",
        ] {
            #expect(lines.contains(expected), "missing \(expected)")
        }
    }
}

@Suite("deploy/: Prometheus configuration and alert rules, checked by promtool",
       .enabled(if: PrometheusRig.missing == nil, "prometheus tools missing: apt-get install prometheus"))
struct PrometheusFileTests {
    @Test("promtool check config accepts prometheus.yml with its rule file")
    func config() throws {
        let result = try PrometheusRig.promtool(["check", "config", deploy + "/prometheus.yml"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("1 rule files found"), "\(result.output)")
    }

    @Test("promtool check rules accepts alerts.yml, and every alert the issue asks for is there")
    func rules() throws {
        let result = try PrometheusRig.promtool(["check", "rules", deploy + "/alerts.yml"])
        #expect(result.status == 0, "\(result.output)")
        let alerts = try read("alerts.yml")
        for name in ["FirstaskDown", "FirstaskChannelNotPolled", "FirstaskDeadLetters", "FirstaskOutboxBacklogOld", "FirstaskSlaBreaches"] {
            #expect(alerts.contains("alert: \(name)"), "missing \(name)")
        }
    }

    @Test("promtool test rules: each alert fires on the series that should trigger it, with its labels and text")
    func alertsFire() throws {
        let fixtures = RepositoryFiles.root.appendingPathComponent("Tests/FirstaskTests/Fixtures").path
        let result = try PrometheusRig.promtool(["test", "rules", "alerts-test.yml"], in: fixtures)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("SUCCESS"), "\(result.output)")
    }

    @Test("the alert rules read only metrics the gateway exports")
    func alertsUseExportedMetrics() throws {
        let alerts = try read("alerts.yml")
        let exported = Set(MetricName.allCases.map(\.rawValue))
        let used = alerts.matches(of: /firstask_[a-z_]+/).map { String($0.output) }
        #expect(!used.isEmpty)
        for name in used { #expect(exported.contains(name), "\(name) is not a firstask metric") }
    }
}

@Suite("deploy/: the container files (Docker does not run here: their structure is checked, not their build)")
struct ContainerFileTests {
    @Test("the Containerfile builds release in a Swift image, runs as non-root on a slim image, ships prompts and checks /readyz")
    func containerfile() throws {
        let file = try read("Containerfile")
        let instructions = file.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        #expect(instructions.filter { $0.hasPrefix("FROM ") }.count == 2)
        #expect(file.contains("swift build -c release"))
        #expect(file.contains("bookworm-slim"))
        for package in ["libcurl4", "libsqlite3-0", "tzdata", "ca-certificates"] { #expect(file.contains(package), "\(package)") }
        #expect(instructions.contains("USER firstask"))
        #expect(file.contains("HEALTHCHECK") && file.contains("/readyz"))
        // Every COPY from the build context names something the repository has.
        for line in instructions where line.hasPrefix("COPY ") && !line.contains("--from=") {
            let sources = line.split(separator: " ").dropFirst().dropLast()
            for source in sources {
                let path = RepositoryFiles.root.appendingPathComponent(String(source)).path
                #expect(FileManager.default.fileExists(atPath: path), "COPY source \(source) does not exist")
            }
        }
    }

    @Test("compose.yaml runs a gateway on SQLite and Prometheus with the deploy files; PostgreSQL and a second gateway wait in a profile")
    func compose() throws {
        let compose = try #require(try Yams.load(yaml: try read("compose.yaml")) as? [String: Any])
        let services = try #require(compose["services"] as? [String: Any])
        #expect(Set(services.keys) == ["gateway-1", "gateway-2", "postgres", "prometheus"])
        let prometheus = try #require(services["prometheus"] as? [String: Any])
        let volumes = (prometheus["volumes"] as? [String]) ?? []
        for file in ["prometheus.yml", "alerts.yml"] {
            #expect(volumes.contains { $0.hasPrefix("./\(file):") }, "prometheus does not mount \(file)")
            #expect(FileManager.default.fileExists(atPath: deploy + "/" + file))
        }
        let gateway = try #require(services["gateway-1"] as? [String: Any])
        let build = try #require(gateway["build"] as? [String: Any])
        let dockerfile = try #require(build["dockerfile"] as? String)
        let context = URL(fileURLWithPath: deploy).appendingPathComponent(try #require(build["context"] as? String))
        #expect(FileManager.default.fileExists(atPath: context.appendingPathComponent(dockerfile).path))
        #expect(gateway["profiles"] == nil)
        for name in ["gateway-2", "postgres"] {
            #expect((services[name] as? [String: Any])?["profiles"] as? [String] == ["postgres"], "\(name)")
        }
        // What Prometheus scrapes in compose is the service compose starts.
        #expect(try read("prometheus.yml").contains("- gateway-1:8080"))
    }
}
