import FirstaskChannels
import FirstaskClassifier
import FirstaskCurl
import FirstaskDesk
import FirstaskSQLite
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import UnixSignals

/// The wired gateway: store, desk, channels, services and admin API, built from a configuration.
///
/// `main`, the demo, the benchmark and the tests all build the gateway here, so they run the same thing.
public struct Gateway: Sendable {
    public let config: GatewayConfig
    public let store: any Store
    public let desk: DeskHolder
    public let deskWorker: DeskWorker
    public let dispatcher: Dispatcher
    public let pollers: [InboxPoller]
    public let client: CurlHTTPClient
    /// Puts an edited prompts folder in force (SIGHUP, `POST /api/rules/reload`).
    public let reloader: PromptsReloader
    let reloadOnSignal: any Service
    let logger: Logger
    /// Channels that receive by webhook, by id (`/webhooks/{id}` on the admin listener).
    public let webhooks: [String: any WebhookChannel]
    /// Extra services the channels run (Telegram and WeCom polling).
    let channelServices: [any Service]
    public let intake: Intake
    /// The Prometheus metrics (`/metrics`).
    public let metrics: GatewayMetrics
    /// Each channel's last poll and send outcomes (`/readyz`).
    public let health: ChannelHealth
    /// Where attachments are kept (`media.dir`), and their rows.
    public let media: MediaFolder
    public let attachments: any AttachmentStore
    /// The store, with the channel operations (delivery reports, throttled messages).
    public var channelStore: any ChannelStore { intake.store }
    /// The web console's accounts, sessions and audit log (the same SQLite store).
    public let accounts: any AccountStore
    /// The web console (`/console/` on the admin listener).
    public let console: Console

    /// Loads prompts and roster, opens the store and wires every part. Throws `ConfigError` for anything the
    /// configuration names that cannot be used (prompts, roster, the store's path).
    public static func build(
        config: GatewayConfig, clock: any WallClock = SystemWallClock(), logger: Logger = Logger(label: "firstask")
    ) async throws -> Gateway {
        let prompts = try Prompts.load(folder: config.promptsPath)
        let roster = try RosterFile.load(path: config.rosterPath)
        if let problem = StorePath.problem(config.sqlitePath) {
            throw ConfigError(file: config.file, key: "store.sqlite", problem: problem)
        }
        let store: SQLiteStore
        do {
            store = try SQLiteStore(path: config.sqlitePath)
        } catch {
            throw ConfigError(file: config.file, key: "store.sqlite",
                              problem: "names \(config.sqlitePath), which cannot be opened as this gateway's SQLite database "
                                  + "(not a database, or written by a newer version)")
        }
        try await store.replaceRoster(roster)
        let staffChannels = config.staffChannelIDs
        if staffChannels.isEmpty, roster.staff.contains(where: { $0.channel == nil }) {
            logger.warning("no channel texts phone numbers: staff without a roster channel cannot be reached", metadata: [
                "unreachable_staff": "\(roster.staff.filter { $0.channel == nil }.count)",
            ])
        }
        let desk = DeskHolder(prompts.desk(policy: config.deskPolicy, defaultChannel: staffChannels.first))
        // Media downloads are capped per request (media.max_bytes); every other response by the client's 16 MiB.
        let client = CurlHTTPClient(maxResponseBytes: max(16 << 20, config.media.policy.maxBytes),
                                    connectionsPerHost: config.dispatcher.concurrency, logger: logger)

        let metrics = GatewayMetrics()
        metrics.prepare(channels: config.channelIDs)
        let polled = config.channels.map(\.id) + config.providerChannels.filter(\.isPolled).map(\.id)
        let health = ChannelHealth(polled: polled, others: config.channelIDs.filter { !polled.contains($0) })
        let deskBell = Doorbell()
        let dispatcherBell = Doorbell()
        var sinks: [String: any MessageSink] = [:]
        var pollers: [InboxPoller] = []
        var mediaChannels: [String: any MediaFetching] = [:]
        var flood = config.intake.flood
        if config.intake.floodNotice {
            flood.notices = Dictionary(uniqueKeysWithValues: ReplyLocale.allCases.map {
                ($0, prompts.templates.render("resident.flood_notice", $0))
            })
        }
        let intake = Intake(store: store, flood: flood, clock: clock, deskBell: deskBell,
                            dispatcherBell: dispatcherBell, logger: logger, metrics: metrics)
        for settings in config.channels {
            let channel = HTTPInboxChannel(settings: settings, client: client, logger: logger)
            sinks[settings.id] = channel
            mediaChannels[settings.id] = channel
            var poller = InboxPoller(source: channel, store: store, deskBell: deskBell, pollInterval: settings.pollInterval,
                                     longPolls: settings.wait != nil, logger: logger)
            poller.intake = intake
            poller.health = health
            poller.metrics = metrics
            pollers.append(poller)
        }
        let wired = try await ChannelWiring.build(config.providerChannels, client: client, store: store, intake: intake,
                                                  health: health, metrics: metrics, logger: logger)
        sinks.merge(wired.sinks) { first, _ in first }
        mediaChannels.merge(wired.media) { first, _ in first }
        let media = MediaFolder(dir: config.media.folder(sqlitePath: config.sqlitePath))
        var mediaLogger = logger
        mediaLogger[metadataKey: "component"] = "media"
        let fetcher = MediaFetcher(store: store, channels: mediaChannels, folder: media, policy: config.media.policy, client: client,
                                   logger: mediaLogger)
        let worker = DeskWorker(store: store, desk: desk, clock: clock, bell: deskBell, dispatcherBell: dispatcherBell,
                                logger: logger, metrics: metrics)
        let dispatcher = Dispatcher(store: store, sinks: sinks, settings: config.dispatcher, clock: clock,
                                    bell: dispatcherBell, logger: logger, channelOrder: config.channelIDs,
                                    staffChannels: staffChannels,
                                    templates: { [desk] in desk.current.templates }, metrics: metrics, health: health)
        let reloader = PromptsReloader(folder: config.promptsPath, policy: config.deskPolicy, desk: desk, logger: logger)
        let reloadOnSignal = await reloader.signalService()
        let console = Console(
            accounts: store, store: store, desk: desk, reloader: reloader,
            texts: try ConsoleTexts.load(promptsFolder: config.promptsPath), clock: clock, dispatcherBell: dispatcherBell,
            rulesPath: config.promptsPath + "/rules.yaml",
            storedMessages: { [store] limit in try await RulesDiff.storeMessages(store, limit: limit) }, logger: logger)
        logger.info("gateway ready", metadata: [
            "channels": "\(config.channelIDs.joined(separator: ","))", "store": "sqlite",
            "rules_version": "\(prompts.rules.version)", "staff": "\(roster.staff.count)",
        ])
        return Gateway(config: config, store: store, desk: desk, deskWorker: worker, dispatcher: dispatcher, pollers: pollers,
                       client: client, reloader: reloader, reloadOnSignal: reloadOnSignal, logger: logger,
                       webhooks: wired.webhooks, channelServices: wired.services + [fetcher], intake: intake, metrics: metrics,
                       health: health, media: media, attachments: store, accounts: store, console: console)
    }

    /// What `/readyz` answers: the store checked now, the prompts in force, each channel's last outcomes.
    public func readiness() async -> Readiness {
        var storeError: String?
        do { try await store.checkReady() } catch { storeError = "\(error)" }
        let version = reloader.rulesVersion
        return Readiness.evaluate(storeError: storeError, rulesVersion: version.isEmpty ? nil : version,
                                  channels: health.snapshot(), now: Date())
    }

    /// What `/metrics` answers: the state gauges refreshed from the store, then every metric.
    public func metricsExposition() async -> String {
        do {
            let backlog = try await store.outboxBacklog()
            metrics.refresh(channels: config.channelIDs, backlog: backlog, health: health, rulesVersion: reloader.rulesVersion,
                            now: deskWorker.clock.now)
        } catch {
            // The counters still tell what happened; the backlog gauges keep their last values.
            logger.warning("metrics: the outbox backlog could not be read", metadata: ["error": "\(error)"])
        }
        return metrics.exposition()
    }

    /// The admin API server; `onRunning` receives the port it listens on.
    public func adminServer(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let router = Router(context: AdminRequestContext.self)
        AdminAPI.addRoutes(to: router, store: store, reloader: reloader, token: config.adminToken,
                           desk: DeskAccess(store: store, desk: desk, clock: deskWorker.clock,
                                            dispatcherBell: deskWorker.dispatcherBell),
                           intake: channelStore, attachments: attachments, media: media)
        WebhookRoutes.addRoutes(to: router, channels: webhooks, intake: intake, maxBodyBytes: config.intake.webhookMaxBytes,
                                clock: intake.clock, logger: logger)
        ObservabilityRoutes.addHealthRoutes(to: router, gateway: self)
        console.addRoutes(to: router)
        if config.metrics.listen == nil { ObservabilityRoutes.addMetricsRoute(to: router, gateway: self) }
        return application(router, on: ListenAddress(host: config.listenHost, port: config.listenPort), name: "firstask",
                           onRunning: onRunning)
    }

    /// The separate listener of `metrics.listen` (`/metrics`, `/healthz`, `/readyz`), or `nil` when metrics are
    /// served on the admin listener.
    public func metricsServer(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> (any Service)? {
        guard let listen = config.metrics.listen else { return nil }
        let router = Router(context: AdminRequestContext.self)
        ObservabilityRoutes.addHealthRoutes(to: router, gateway: self)
        ObservabilityRoutes.addMetricsRoute(to: router, gateway: self)
        return application(router, on: listen, name: "firstask-metrics", onRunning: onRunning)
    }

    /// A Hummingbird server for `router` on `address`, logging only from `notice` up (requests are not logged).
    private func application(
        _ router: Router<AdminRequestContext>, on address: ListenAddress, name: String,
        onRunning: @escaping @Sendable (Int) async -> Void
    ) -> some ApplicationProtocol {
        var serverLogger = logger
        serverLogger.logLevel = max(logger.logLevel, .notice)
        return Application(
            router: router,
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: name),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? address.port) },
            logger: serverLogger)
    }

    /// Every long-running service, in start order; shutdown runs in reverse, so intake stops first and the
    /// dispatcher last, after the desk has written what it owes.
    public func services(withAdminServer: Bool = true, onAdminRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> [any Service]
    {
        var services: [any Service] = [dispatcher, deskWorker, reloadOnSignal]
        services.append(contentsOf: pollers.map { $0 as any Service })
        services.append(contentsOf: channelServices)
        if withAdminServer {
            services.append(adminServer(onRunning: onAdminRunning))
            if let metricsServer = metricsServer() { services.append(metricsServer) }
        }
        return services
    }

    /// Runs until one of `signals` (or `triggerGracefulShutdown` on the returned group's owner) stops it.
    public func run(signals: [UnixSignal] = [.sigterm, .sigint]) async throws {
        let group = ServiceGroup(configuration: .init(
            services: services().map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: signals, logger: logger))
        try await group.run()
        client.shutdown()
        logger.info("gateway stopped")
    }
}
