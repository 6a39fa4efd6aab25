import FirstaskApp
import FirstaskTesting
import Foundation
import Testing

/// Runs `firstask check --config config` to completion; returns its exit status and output.
func runCheck(_ config: String) throws -> (status: Int32, output: String) {
    try ToolRun.run(try firstaskBinary().path, ["check", "--config", config])
}

@Suite("firstask check --config FILE")
struct CheckCommandTests {
    @Test("all good: one line per item and exit 0; the channel line names only the endpoint's origin")
    func allGood() async throws {
        let folder = try RepositoryFiles.temporaryFolder("check-ok")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await LiveServer.withInbox { _, port in
            let config = try writeGatewayConfig(in: folder, inboxPort: port, channelOptions: "token: \"inbox-secret-token-77\"")
            let result = try runCheck(config)
            #expect(result.status == 0, "\(result.output)")
            let lines = result.output.split(separator: "\n").map(String.init)
            #expect(lines.count == 5, "\(result.output)")
            #expect(lines[0].hasPrefix("config \(config): ok"))
            #expect(lines[1].hasPrefix("prompts ") && lines[1].contains(": ok (rules version "))
            #expect(lines[2].hasPrefix("roster ") && lines[2].contains(": ok ("))
            #expect(lines[3].hasPrefix("store sqlite ") && lines[3].contains(": ok"))
            #expect(lines[4] == "channel sms (http-inbox) http://127.0.0.1:\(port): reachable (HTTP 200)")
            #expect(!result.output.contains("inbox-secret-token-77"))
            // check does not create the database.
            #expect(!FileManager.default.fileExists(atPath: folder + "/firstask.sqlite"))
        }
    }

    @Test("an unreachable inbox is reported on its line and exits 1; the other items are still checked")
    func unreachable() throws {
        let folder = try RepositoryFiles.temporaryFolder("check-down")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let port = try KannelRig.freePort()
        let config = try writeGatewayConfig(in: folder, inboxPort: port, channelOptions: "poll_interval: 1")
        let result = try runCheck(config)
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("store sqlite "))
        #expect(result.output.contains("channel sms (http-inbox) http://127.0.0.1:\(port): unreachable: "), "\(result.output)")
    }

    @Test("a configuration error exits 78 naming the file and the key; so does a roster that does not load")
    func configError() throws {
        let folder = try RepositoryFiles.temporaryFolder("check-bad")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let config = try writeGatewayConfig(in: folder, inboxPort: 9, channelOptions: "poll_interval: 1", extra: "log: {format: xml}")
        let result = try runCheck(config)
        #expect(result.status == 78, "\(result.output)")
        // The file, then the line and column of the key (start-up errors locate the key), never the value.
        #expect(result.output.contains("error: \(config):"), "\(result.output)")
        #expect(result.output.contains(": key 'log.format' must be text or json"), "\(result.output)")
        #expect(!result.output.contains("xml"), "\(result.output)")

        let roster = folder + "/roster.yaml"
        try "staff: [{id: 1}]".write(toFile: roster, atomically: true, encoding: .utf8)
        let text = try String(contentsOfFile: try writeGatewayConfig(in: folder, inboxPort: 9, channelOptions: "poll_interval: 1"),
                              encoding: .utf8)
        try text.replacingOccurrences(of: RepositoryFiles.roster, with: roster).write(toFile: config, atomically: true, encoding: .utf8)
        let badRoster = try runCheck(config)
        #expect(badRoster.status == 78, "\(badRoster.output)")
        #expect(badRoster.output.contains("error: \(roster)"), "\(badRoster.output)")
    }
}
