import FirstaskApp
import FirstaskDesk
import FirstaskSQLite
import FirstaskTesting
import Foundation
import Testing

/// The built `firstask` executable, next to the test bundle.
func firstaskBinary() throws -> URL {
    let candidates = [
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("firstask"),
        RepositoryFiles.root.appendingPathComponent(".build/debug/firstask"),
    ]
    for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    throw ConfigError(file: candidates[0].path, key: "", problem: "is not built; run `swift build` first")
}

/// Runs `firstask` with `arguments`, output to `log`.
func launch(_ arguments: [String], log: String) throws -> Process {
    let process = Process()
    process.executableURL = try firstaskBinary()
    process.arguments = arguments
    FileManager.default.createFile(atPath: log, contents: nil)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
    handle.seekToEndOfFile()
    process.standardOutput = handle
    process.standardError = handle
    try process.run()
    return process
}

/// Writes a gateway configuration into `folder` for a process test: SQLite there, the given prompts, the
/// shipped roster, one http-inbox channel on `port` with `channelOptions`; returns its path.
func writeGatewayConfig(
    in folder: String, inboxPort port: Int, prompts: String = RepositoryFiles.prompts, channelOptions: String,
    extra: String = ""
) throws -> String {
    let config = folder + "/firstask.yaml"
    try """
        http: {listen: "127.0.0.1:0"}
        admin: {token: "process-test-token-0123456789"}
        store: {sqlite: "\(folder)/firstask.sqlite"}
        prompts: "\(prompts)"
        roster: "\(RepositoryFiles.roster)"
        \(extra)
        channels:
          - {id: sms, type: http-inbox, base_url: "http://127.0.0.1:\(port)", \(channelOptions)}
        """.write(toFile: config, atomically: true, encoding: .utf8)
    return config
}

func waitForExit(_ process: Process, timeout: Duration) async throws -> Int32? {
    let deadline = ContinuousClock.now + timeout
    while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(until: .now + .milliseconds(20)) }
    return process.isRunning ? nil : process.terminationStatus
}

@Suite("The firstask process")
struct ProcessTests {
    @Test("SIGTERM mid-run, then a restart: no inbound message lost, no reply sent twice")
    func sigtermAndRestart() async throws {
        let folder = try RepositoryFiles.temporaryFolder("restart")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await LiveServer.withInbox { inbox, port in
            let config = try writeGatewayConfig(in: folder, inboxPort: port, channelOptions: "poll_interval: 0.1, wait: 1, limit: 20",
                                                extra: "dispatcher: {concurrency: 4}")
            let total = 200
            let log = folder + "/gateway.log"

            // First run: messages keep arriving while the gateway is stopped in the middle of its work.
            let first = try launch(["serve", "--config", config], log: log)
            for index in 0..<total / 2 {
                inbox.inject(from: "+8613700\(String(format: "%05d", index))", text: "\(index % 9 + 1)栋\(index % 3 + 1)单元\(index + 100)卫生间漏水")
                try await Task.sleep(until: .now + .milliseconds(3))
            }
            _ = await inbox.waitForDeliveries(20, timeout: .seconds(20))
            kill(first.processIdentifier, SIGTERM)
            for index in total / 2..<total {
                inbox.inject(from: "+8613700\(String(format: "%05d", index))", text: "The lift in Block \(index % 5 + 1) is broken, Flat \(index + 100)")
            }
            let firstExit = try await waitForExit(first, timeout: .seconds(20))
            #expect(firstExit == 0, "first run did not stop cleanly on SIGTERM: \(String(describing: firstExit))")
            // The stop came mid-run: the first run did part of the work and left the rest to the second (it
            // never read the messages sent after SIGTERM, beyond one poll in flight).
            let store = try SQLiteStore(path: folder + "/firstask.sqlite")
            let openedByFirst = try await store.tickets(.all).count
            #expect(openedByFirst > 0 && openedByFirst < total,
                    "the stop should have come mid-run; the first run opened \(openedByFirst) of \(total) tickets")

            // Second run picks up where the first stopped.
            let second = try launch(["serve", "--config", config], log: log)
            let deadline = ContinuousClock.now + .seconds(60)
            var settled = false
            while ContinuousClock.now < deadline {
                let tickets = try await store.tickets(.all).count
                let pending = try await store.outbound(status: .pending).count
                if tickets == total, pending == 0 { settled = true; break }
                try await Task.sleep(until: .now + .milliseconds(100))
            }
            kill(second.processIdentifier, SIGTERM)
            #expect(try await waitForExit(second, timeout: .seconds(20)) == 0)
            #expect(settled, "not settled; log: \((try? String(contentsOfFile: log, encoding: .utf8))?.suffix(2000) ?? "")")

            #expect(try await store.inboundCount() == total)
            let tickets = try await store.tickets(.all)
            #expect(tickets.count == total)
            #expect(Set(tickets.map(\.resident)).count == total)  // one ticket per message, none twice
            let sent = try await store.outbound(status: .sent)
            #expect(try await store.outbound(status: nil).count == sent.count)
            #expect(inbox.deliveries.count == sent.count)
            #expect(inbox.duplicateSends == 0)
            for index in 0..<total {
                let resident = "+8613700\(String(format: "%05d", index))"
                #expect(inbox.deliveries.filter { $0.to == resident }.count == 1, "resident \(index) acknowledgements")
            }
        }
    }

    @Test("serve with a broken configuration exits non-zero naming the key and the file")
    func badConfigExits() async throws {
        let folder = try RepositoryFiles.temporaryFolder("badconfig")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let config = folder + "/firstask.yaml"
        try "admin: {token: \"0123456789abcdef0123\"}\nstore: {sqlite: x}\nprompts: p\nchannels:\n  - {id: sms, type: http-inbox, base_url: \"http://127.0.0.1:9\"}\n".write(toFile: config, atomically: true, encoding: .utf8)
        let log = folder + "/out.log"
        let process = try launch(["serve", "--config", config], log: log)
        let status = try await waitForExit(process, timeout: .seconds(20))
        #expect(status == 78)
        let output = try String(contentsOfFile: log, encoding: .utf8)
        #expect(output.contains("error: \(config): key 'roster' is missing"))
    }
}
