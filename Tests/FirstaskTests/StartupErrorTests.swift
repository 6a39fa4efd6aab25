import FirstaskApp
import FirstaskClassifier
import FirstaskTesting
import Foundation
import Synchronization
import Testing

@Suite("Start-up errors: file, line, column and key, never a value; exit 78 or 1 with a sentence")
struct StartupErrorTests {
    static let valid = """
        http: {listen: "127.0.0.1:0"}
        admin: {token: "0123456789abcdef0123"}
        store: {sqlite: "db.sqlite"}
        prompts: "\(RepositoryFiles.prompts)"
        roster: "\(RepositoryFiles.roster)"
        channels:
          - {id: sms, type: http-inbox, base_url: "http://127.0.0.1:9"}
        """

    func write(_ text: String) throws -> String {
        let path = try RepositoryFiles.temporaryFolder("startup") + "/firstask.yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Runs `firstask serve --config path` with `environment` added; its exit status and what it printed.
    /// A gateway that starts instead of failing is killed after 20 s and reported as status -1.
    func serve(_ path: String, environment: [String: String] = [:]) async throws -> (status: Int32, output: String) {
        let log = path + ".log"
        let process = Process()
        process.executableURL = try firstaskBinary()
        process.arguments = ["serve", "--config", path]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let status = try await waitForExit(process, timeout: .seconds(20))
        if status == nil {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        return (status ?? -1, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    @Test("a YAML syntax error names the file, line and column, and never echoes the line (which may hold a secret)")
    func yamlSyntax() throws {
        let path = try write(Self.valid.replacingOccurrences(of: #"admin: {token: "0123456789abcdef0123"}"#,
                                                             with: "admin:\n  token: \"S3cr3t-token-value\" trailing"))
        #expect { _ = try GatewayConfig.load(path: path, environment: [:]) } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("\(path):3:") && text.contains("is not valid YAML") && !text.contains("S3cr3t")
        }
    }

    @Test("a key error names the line and column of the key")
    func keyPlace() throws {
        let path = try write(Self.valid.replacingOccurrences(of: "listen: \"127.0.0.1:0\"", with: "listen: \"nope\""))
        #expect { _ = try GatewayConfig.load(path: path, environment: [:]) } throws: { error in
            "\(error)".hasPrefix("\(path):1:8: key 'http.listen' must be host:port")
        }
    }

    @Test("a rules file with a YAML syntax error names line and column, not the text")
    func rulesSyntax() {
        #expect { _ = try RuleSet.parse(yaml: "categories:\n  plumbing: {department: engineering}\nrules: [\"secret-word\" x]\n") } throws: { error in
            guard let error = error as? ClassifierError else { return false }
            return error.line == 3 && error.column != nil && !error.description.contains("secret-word")
        }
    }

    @Test("an unknown FIRSTASK_ variable is an error naming it, in the file or the process (exit 78)", arguments: [true, false])
    func unknownVariable(tokenInFile: Bool) async throws {
        let text = tokenInFile ? Self.valid : Self.valid.replacingOccurrences(of: #"admin: {token: "0123456789abcdef0123"}"#, with: "")
        let path = try write(text)
        let environment = ["FIRSTASK_ADMIN_TOKNE": "0123456789abcdef0123-secret"]
        #expect { _ = try GatewayConfig.load(path: path, environment: environment) } throws: { error in
            "\(error)".contains("FIRSTASK_ADMIN_TOKNE") && !"\(error)".contains("secret")
        }
        let run = try await serve(path, environment: environment)
        #expect(run.status == 78)
        #expect(run.output.contains("FIRSTASK_ADMIN_TOKNE") && !run.output.contains("0123456789abcdef0123-secret"), "\(run.output)")
        // The right name works, also without an admin section in the file.
        let config = try GatewayConfig.load(path: path, environment: ["FIRSTASK_ADMIN_TOKEN": "from-the-environment-1234"])
        #expect(config.adminToken == (tokenInFile ? "from-the-environment-1234" : "from-the-environment-1234"))
    }

    @Test("an unusable store path exits 78 naming the file and key, in words (no Foundation error domain)")
    func storePath() async throws {
        let path = try write(Self.valid.replacingOccurrences(of: "sqlite: \"db.sqlite\"", with: "sqlite: \"/etc/passwd/firstask.sqlite\""))
        let run = try await serve(path)
        #expect(run.status == 78)
        #expect(run.output.contains("\(path): key 'store.sqlite' names /etc/passwd/firstask.sqlite, but /etc/passwd is a file"), "\(run.output)")
        #expect(!run.output.contains("Domain") && !run.output.contains("Code="))
        let folder = try write(Self.valid.replacingOccurrences(of: "sqlite: \"db.sqlite\"", with: "sqlite: \"/tmp\""))
        await #expect { _ = try await Gateway.build(config: try GatewayConfig.load(path: folder, environment: [:])) } throws: { error in
            "\(error)".contains("key 'store.sqlite' names /tmp, which is a folder")
        }
    }

    @Test("a missing roster file says it does not exist")
    func missingRoster() async throws {
        let path = try write(Self.valid.replacingOccurrences(of: "roster: \"\(RepositoryFiles.roster)\"", with: "roster: \"no-such-roster.yaml\""))
        let run = try await serve(path)
        #expect(run.status == 78)
        #expect(run.output.contains("no-such-roster.yaml: does not exist"), "\(run.output)")
    }

    @Test("a listener address in use exits 1 with a sentence instead of hanging")
    func addressInUse() async throws {
        let blocker = try ServerSocket()
        defer { blocker.close() }
        let path = try write(Self.valid.replacingOccurrences(of: "127.0.0.1:0", with: "127.0.0.1:\(blocker.port)"))
        let run = try await serve(path)
        #expect(run.status == 1)
        #expect(run.output.contains("error: the gateway stopped: an unexpected"), "\(run.output)")
        #expect(!run.output.contains("errno"))
    }

    @Test("a doorbell wait returns when its task is cancelled")
    func doorbellCancellation() async throws {
        let bell = Doorbell()
        let returned = ReturnFlag()
        let waiter = Task {
            await bell.wait(timeout: .seconds(600))
            returned.value.withLock { $0 = true }
        }
        try await Task.sleep(until: .now + .milliseconds(100))
        waiter.cancel()
        // Polled rather than awaited, so a wait that never returns fails the test instead of hanging it.
        let deadline = ContinuousClock.now + .seconds(5)
        while !returned.value.withLock({ $0 }), ContinuousClock.now < deadline { try await Task.sleep(until: .now + .milliseconds(20)) }
        #expect(returned.value.withLock { $0 })
    }
}

final class ReturnFlag: Sendable {
    let value = Mutex(false)
}

/// A listening TCP socket on a free loopback port, without SO_REUSEPORT, so nothing else can bind it.
struct ServerSocket {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && listen(descriptor, 1) == 0
                && getsockname(descriptor, $0, &length) == 0 }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { _ = Glibc.close(descriptor) }
}
