import FirstaskChannels
import FirstaskClassifier
import FirstaskDesk
import Foundation

/// The whole gateway configuration, read from one YAML file (`deploy/firstask.yaml` documents every key)
/// with environment overrides: `FIRSTASK_` + the key path in capitals, dots and list indexes as `_`
/// (`FIRSTASK_ADMIN_TOKEN`, `FIRSTASK_CHANNELS_0_BASE_URL`).
public struct GatewayConfig: Sendable {
    /// `host:port` the admin API listens on.
    public var listenHost: String
    public var listenPort: Int
    /// Bearer token for the admin API.
    public var adminToken: String
    /// Path of the SQLite database file.
    public var sqlitePath: String
    /// Folder with `rules.yaml`, `commands.yaml` and `templates/`.
    public var promptsPath: String
    /// Path of the roster YAML.
    public var rosterPath: String
    public var deskPolicy: DeskPolicy
    public var dispatcher: DispatcherSettings
    public var channels: [HTTPInboxSettings]
    /// Channels of the other types (`kannel`, …); ids are unique across both lists.
    public var providerChannels: [ProviderChannelSettings] = []
    /// Intake options shared by every channel (flood protection, webhook body limit).
    public var intake = IntakeSettings()
    /// `log.level`, `log.format`.
    public var log = LogSettings()
    /// `metrics.listen`.
    public var metrics = MetricsSettings()
    /// Attachments (`media.*`).
    public var media = MediaSettings()
    /// The file this configuration was read from, for errors found later (an unusable store path);
    /// "the configuration" when it was made in code.
    public var file = "the configuration"

    public init(
        listenHost: String = "127.0.0.1", listenPort: Int = 8080, adminToken: String, sqlitePath: String,
        promptsPath: String, rosterPath: String, deskPolicy: DeskPolicy = DeskPolicy(),
        dispatcher: DispatcherSettings = DispatcherSettings(), channels: [HTTPInboxSettings]
    ) {
        self.listenHost = listenHost
        self.listenPort = listenPort
        self.adminToken = adminToken
        self.sqlitePath = sqlitePath
        self.promptsPath = promptsPath
        self.rosterPath = rosterPath
        self.deskPolicy = deskPolicy
        self.dispatcher = dispatcher
        self.channels = channels
    }

    /// Every channel id, in configuration order (ids set in code without an order: http-inbox ones first).
    public var channelIDs: [String] {
        let all = channels.map(\.id) + providerChannels.map(\.id)
        return channelOrder.filter(all.contains) + all.filter { !channelOrder.contains($0) }
    }
    /// The order of `channels[]` in the file.
    var channelOrder: [String] = []

    /// Reads and validates the file at `path`. Relative paths inside it are relative to its folder.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> GatewayConfig {
        let text = try ConfigFile.text(at: path)
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try parse(text, file: path, folder: folder, environment: environment)
    }

    static func parse(_ text: String, file: String, folder: String, environment: [String: String]) throws -> GatewayConfig {
        let root = try YAMLReader.root(
            text: text, file: file, environment: environment, envPrefix: "FIRSTASK_",
            allowed: ["http", "admin", "store", "prompts", "roster", "desk", "dispatcher", "channels", "flood", "log", "metrics", "media"])
        func refuseUnusedVariables() throws {
            let unused = root.unusedEnvironmentVariables()
            guard !unused.isEmpty else { return }
            throw ConfigError(file: file, key: "", problem: "the environment variable\(unused.count == 1 ? "" : "s") "
                + "\(unused.joined(separator: ", ")) set\(unused.count == 1 ? "s" : "") no key of this file; fix the name "
                + "(FIRSTASK_ + the key path in capitals, e.g. FIRSTASK_ADMIN_TOKEN) or unset it")
        }
        do {
            var config = try read(root, file: file, folder: folder)
            try refuseUnusedVariables()
            config.file = file
            return config
        } catch let error as ConfigError {
            // A misspelt variable shows up as the key it should have set being missing: name the variable.
            if error.problem.hasPrefix("is missing") { try refuseUnusedVariables() }
            throw root.locate(error)
        }
    }

    private static func read(_ root: YAMLReader, file: String, folder: String) throws -> GatewayConfig {
        func resolve(_ path: String) -> String {
            path.hasPrefix("/") ? path : URL(fileURLWithPath: folder).appendingPathComponent(path).standardized.path
        }

        let http = try root.mapping("http", allowed: ["listen", "webhook_max_bytes"])
        let listen = try ListenAddress.parse(try http?.optionalString("listen") ?? "127.0.0.1:8080", file: file, key: "http.listen")

        guard let admin = try root.mapping("admin", allowed: ["token"]) else {
            throw ConfigError(file: file, key: "admin.token", problem: "is missing")
        }
        let token = try admin.string("token")
        guard token.count >= 16 else {
            throw ConfigError(file: file, key: "admin.token", problem: "must be at least 16 characters")
        }

        guard let store = try root.mapping("store", allowed: ["sqlite", "postgres"]) else {
            throw ConfigError(file: file, key: "store.sqlite", problem: "is missing")
        }
        if store.has("postgres") {
            throw ConfigError(file: file, key: "store.postgres", problem: "is not supported by this build yet; use store.sqlite")
        }
        let sqlite = resolve(try store.string("sqlite"))

        let policy = try DeskPolicy.read(try root.mapping("desk", allowed: DeskPolicy.configKeys))

        var dispatcher = DispatcherSettings()
        if let section = try root.mapping("dispatcher", allowed: ["max_attempts", "concurrency", "batch", "alert_channels"]) {
            dispatcher.alertChannels = try section.stringList("alert_channels")
            dispatcher.maxAttempts = try section.int("max_attempts", default: dispatcher.maxAttempts, range: 1...1000)
            dispatcher.concurrency = try section.int("concurrency", default: dispatcher.concurrency, range: 1...256)
            dispatcher.batch = try section.int("batch", default: dispatcher.batch, range: 1...10000)
        }

        let channelAllowed: Set<String> = ["id", "type", "base_url", "poll_interval", "wait", "limit", "token", "request_timeout"]
        var channels: [HTTPInboxSettings] = []
        var providers: [ProviderChannelSettings] = []
        var ids = Set<String>()
        var order: [String] = []
        for item in try root.list("channels", allowed: channelAllowed.union(ChannelConfig.allowedKeys)) {
            let id = try item.string("id")
            order.append(id)
            guard ids.insert(id).inserted else {
                throw ConfigError(file: file, key: item.full("id"), problem: "repeats the id of an earlier channel")
            }
            let type = try item.string("type")
            if let limit = try ChannelConfig.rateLimit(item, type: type) { dispatcher.rateLimits[id] = limit }
            if let provider = try ChannelConfig.parse(item, id: id, type: type) {
                providers.append(provider)
                continue
            }
            guard type == "http-inbox" else {
                throw ConfigError(file: file, key: item.full("type"), problem: "must be one of: \(ChannelConfig.types.joined(separator: ", "))")
            }
            try ChannelConfig.refuseForeignKeys(item, allowed: channelAllowed.union(ChannelConfig.commonKeys))
            let base = try item.string("base_url")
            guard let url = URL(string: base), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw ConfigError(file: file, key: item.full("base_url"), problem: "must be an http:// or https:// URL")
            }
            let wait = item.has("wait") ? try item.int("wait", default: 0, range: 0...300) : nil
            channels.append(HTTPInboxSettings(
                id: id, baseURL: base, token: try item.optionalString("token"),
                pollInterval: try item.duration("poll_interval") ?? 2, wait: wait == 0 ? nil : wait,
                limit: try item.int("limit", default: 500, range: 1...10000),
                requestTimeout: try item.duration("request_timeout") ?? 10))
        }
        guard !channels.isEmpty || !providers.isEmpty else {
            throw ConfigError(file: file, key: "channels", problem: "is missing: list at least one channel")
        }

        var config = GatewayConfig(
            listenHost: listen.host, listenPort: listen.port, adminToken: token, sqlitePath: sqlite,
            promptsPath: resolve(try root.string("prompts")), rosterPath: resolve(try root.string("roster")),
            deskPolicy: policy, dispatcher: dispatcher, channels: channels)
        config.providerChannels = providers
        config.channelOrder = order
        config.intake = try ChannelConfig.intake(root: root, http: http)
        config.log = try LogSettings.read(try root.mapping("log", allowed: ["level", "format"]), file: file)
        config.metrics = try MetricsSettings.read(try root.mapping("metrics", allowed: ["listen"]), file: file)
        config.media = try MediaSettings.read(try root.mapping("media", allowed: MediaSettings.keys), file: file, resolve: resolve)
        return config
    }
}
