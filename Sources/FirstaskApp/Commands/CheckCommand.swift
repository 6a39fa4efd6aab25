import ArgumentParser
import FirstaskChannels
import FirstaskCurl
import FirstaskSQLite
import Foundation

/// `firstask check --config FILE`: validates the configuration, prompts and roster, and reaches the store
/// and each channel's endpoint once. One line per item; exit 0 when all is well, 78 on a configuration
/// error, 1 when something cannot be reached.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate configuration, prompts and roster; reach the store and each channel once (exit 0, 78 bad config, 1 unreachable).")

    @Option(name: .long, help: "The YAML configuration file.")
    var config: String

    func run() async throws {
        let report = await ConfigCheck.run(configPath: config)
        for line in report.lines { print(line) }
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }
}

/// The checks of `firstask check`, in order; a configuration error stops at once, unreachable things do not.
enum ConfigCheck {
    struct Report {
        var lines: [String] = []
        var exitCode: Int32 = 0
    }

    static func run(configPath: String, timeout: Double = 5) async -> Report {
        var report = Report()
        let config: GatewayConfig
        do {
            config = try GatewayConfig.load(path: configPath)
            report.lines.append("config \(configPath): ok (\(config.channelIDs.count) channel(s))")
            let prompts = try Prompts.load(folder: config.promptsPath)
            _ = try ConsoleTexts.load(promptsFolder: config.promptsPath)  // the console's words and pages start with the gateway
            report.lines.append("prompts \(config.promptsPath): ok (rules version \(prompts.rules.version))")
            let roster = try RosterFile.load(path: config.rosterPath)
            report.lines.append("roster \(config.rosterPath): ok (\(roster.staff.count) staff)")
        } catch {
            report.lines.append("error: \(error)")
            report.exitCode = 78
            return report
        }

        func unreachable(_ line: String) {
            report.lines.append(line)
            report.exitCode = 1
        }
        if FileManager.default.fileExists(atPath: config.sqlitePath) {
            do {
                try await SQLiteStore(path: config.sqlitePath).checkReady()
                report.lines.append("store sqlite \(config.sqlitePath): ok")
            } catch {
                unreachable("store sqlite \(config.sqlitePath): unreachable: \(error)")
            }
        } else {
            let folder = URL(fileURLWithPath: config.sqlitePath).deletingLastPathComponent().path
            if Self.canCreate(in: folder) {
                report.lines.append("store sqlite \(config.sqlitePath): ok (not created yet; serve creates it)")
            } else {
                unreachable("store sqlite \(config.sqlitePath): unreachable: the folder \(folder) cannot be created or written")
            }
        }

        let client = CurlHTTPClient()
        defer { client.shutdown() }
        for (id, type, url) in endpoints(config) {
            let shown = Self.origin(url)
            do {
                let response = try await client.execute(HTTPRequest(url: url, timeout: timeout, connectTimeout: timeout))
                report.lines.append("channel \(id) (\(type)) \(shown): reachable (HTTP \(response.status))")
            } catch {
                unreachable("channel \(id) (\(type)) \(shown): unreachable: \(Self.reason(error))")
            }
        }
        return report
    }

    /// Each channel's endpoint, by configuration order: what the gateway polls or sends to first.
    static func endpoints(_ config: GatewayConfig) -> [(id: String, type: String, url: String)] {
        var byID: [String: (id: String, type: String, url: String)] = [:]
        for inbox in config.channels { byID[inbox.id] = (inbox.id, "http-inbox", inbox.baseURL + "/messages?limit=1") }
        for provider in config.providerChannels {
            let url = switch provider {
            case let .kannel(kannel): kannel.sendsmsURL
            case let .twilio(twilio): twilio.apiBase
            case let .telegram(telegram): telegram.apiBase
            case let .wecom(wecom): wecom.apiBase
            }
            byID[provider.id] = (provider.id, provider.type, url)
        }
        return config.channelIDs.compactMap { byID[$0] }
    }

    /// `scheme://host[:port]` only: paths and queries can hold tokens (Telegram's bot token, Kannel's password).
    static func origin(_ url: String) -> String {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host else {
            return "(unparsable URL)"
        }
        return components.port.map { "\(scheme)://\(host):\($0)" } ?? "\(scheme)://\(host)"
    }

    /// The transport error without the URL it names (which may hold a token).
    static func reason(_ error: any Error) -> String {
        if let error = error as? HTTPClientError { return error.reason }
        return "request failed"
    }

    static func canCreate(in folder: String) -> Bool {
        var existing = URL(fileURLWithPath: folder)
        while !FileManager.default.fileExists(atPath: existing.path), existing.path != "/" {
            existing.deleteLastPathComponent()
        }
        return FileManager.default.isWritableFile(atPath: existing.path)
    }
}
