import FirstaskApp
import FirstaskCurl
import FirstaskDesk
import FirstaskTesting
import Foundation
import Testing

/// A copy of the shipped prompts folder that a test may edit.
func editablePrompts(in folder: String) throws -> String {
    let copy = folder + "/prompts"
    try FileManager.default.copyItem(atPath: RepositoryFiles.prompts, toPath: copy)
    return copy
}

@Suite("Reloading rules while the gateway runs")
struct ReloadTests {
    @Test("the admin API puts edited rules in force, refuses a broken file and keeps the old rules serving")
    func reloadThroughAdminAPI() async throws {
        let folder = try RepositoryFiles.temporaryFolder("reload")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let prompts = try editablePrompts(in: folder)
        let rulesFile = prompts + "/rules.yaml"
        let original = try String(contentsOfFile: rulesFile, encoding: .utf8)
        let options = LoopbackRig.Options(folder: folder, promptsPath: prompts, rosterPath: RepositoryFiles.roster)
        try await LoopbackRig.with(options, logger: quietLogger()) { rig in
            let client = CurlHTTPClient()
            defer { client.shutdown() }
            let base = "http://127.0.0.1:\(try #require(rig.adminPort))/api"
            let auth = [(name: "Authorization", value: "Bearer \(rig.adminToken)")]
            func version() async throws -> String? {
                let response = try await client.execute(HTTPRequest(url: base + "/rules", headers: auth))
                return (try JSONSerialization.jsonObject(with: response.body) as? [String: String])?["rules_version"]
            }
            func reload() async throws -> (Int, [String: String]) {
                let response = try await client.execute(HTTPRequest(method: .post, url: base + "/rules/reload", headers: auth))
                return (response.status, (try JSONSerialization.jsonObject(with: response.body) as? [String: String]) ?? [:])
            }
            let first = try #require(try await version())
            rig.inbox.inject(from: "+8613911110001", text: "3栋2单元501厨房漏水")
            #expect(try await rig.settle())
            #expect(try await rig.gateway.store.ticket(ref: "T0001")?.ticket.rulesVersion == first)

            try "categories: [this is not the rules format".write(toFile: rulesFile, atomically: true, encoding: .utf8)
            let (refusedStatus, refused) = try await reload()
            #expect(refusedStatus == 422)
            #expect(refused["error"]?.contains("rules.yaml") == true)
            #expect(try await version() == first)

            try (original + "\n# tuned by the admin\n").write(toFile: rulesFile, atomically: true, encoding: .utf8)
            let (status, body) = try await reload()
            #expect(status == 200)
            let second = try #require(body["rules_version"])
            #expect(second != first)
            #expect(try await version() == second)
            rig.inbox.inject(from: "+8613911110002", text: "5栋1单元302卫生间漏水")
            #expect(try await rig.settle())
            #expect(try await rig.gateway.store.ticket(ref: "T0002")?.ticket.rulesVersion == second)

            let unauthorised = try await client.execute(HTTPRequest(method: .post, url: base + "/rules/reload"))
            #expect(unauthorised.status == 401)
        }
    }

    @Test("SIGHUP reloads the prompts of a running gateway; a broken file is refused and it keeps running")
    func reloadOnSIGHUP() async throws {
        let folder = try RepositoryFiles.temporaryFolder("sighup")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let prompts = try editablePrompts(in: folder)
        let rulesFile = prompts + "/rules.yaml"
        let original = try String(contentsOfFile: rulesFile, encoding: .utf8)
        try await LiveServer.withInbox { _, port in
            let config = try writeGatewayConfig(in: folder, inboxPort: port, prompts: prompts, channelOptions: "poll_interval: 0.2")
            let log = folder + "/gateway.log"
            let process = try launch(["serve", "--config", config], log: log)
            defer { if process.isRunning { process.terminate() } }
            func logText() -> String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
            func waitFor(_ needle: String, count: Int = 1) async throws -> Bool {
                let deadline = ContinuousClock.now + .seconds(20)
                while ContinuousClock.now < deadline {
                    if logText().components(separatedBy: needle).count - 1 >= count { return true }
                    try await Task.sleep(until: .now + .milliseconds(50))
                }
                return false
            }
            #expect(try await waitFor("gateway ready"))

            try "categories: [broken".write(toFile: rulesFile, atomically: true, encoding: .utf8)
            kill(process.processIdentifier, SIGHUP)
            #expect(try await waitFor("prompts reload refused"))
            #expect(process.isRunning)

            try (original + "\n# tuned\n").write(toFile: rulesFile, atomically: true, encoding: .utf8)
            kill(process.processIdentifier, SIGHUP)
            #expect(try await waitFor("prompts reloaded"))
            kill(process.processIdentifier, SIGTERM)
            #expect(try await waitForExit(process, timeout: .seconds(20)) == 0)
        }
    }
}
