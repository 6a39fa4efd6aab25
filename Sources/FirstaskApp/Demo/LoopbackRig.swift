import FirstaskChannels
import FirstaskDesk
import Foundation
import Logging
import ServiceLifecycle

/// The whole gateway wired to a simulated SMS inbox on loopback, in one process: what `firstask demo`,
/// `firstask bench pipeline` and the end-to-end tests run. Traffic between them is real HTTP through libcurl.
public struct LoopbackRig: Sendable {
    public struct Options: Sendable {
        /// Folder for the SQLite file (the caller removes it).
        public var folder: String
        public var promptsPath: String
        public var rosterPath: String
        /// Start the admin API on a free port.
        public var adminServer = true
        /// Long-poll wait asked of the inbox, in seconds.
        public var wait = 1
        public var limit = 500
        public var dispatcher = DispatcherSettings()
        public var deskPolicy = DeskPolicy()
        /// The gateway's clock; tests pass a `FakeClock` to drive deadlines.
        public var clock: any WallClock = SystemWallClock()

        public init(folder: String, promptsPath: String, rosterPath: String) {
            self.folder = folder
            self.promptsPath = promptsPath
            self.rosterPath = rosterPath
        }
    }

    public let inbox: SimulatedInbox
    public let gateway: Gateway
    public let inboxPort: Int
    /// The admin API's port, when it runs.
    public let adminPort: Int?
    public let adminToken: String

    /// Starts the inbox and the gateway, runs `body`, then stops the gateway gracefully and the inbox after it.
    @discardableResult
    public static func with<T: Sendable>(
        _ options: Options, logger: Logger = Logger(label: "firstask"), _ body: @Sendable (LoopbackRig) async throws -> T
    ) async throws -> T {
        let inbox = SimulatedInbox()
        let (inboxPorts, inboxPortSink) = AsyncStream.makeStream(of: Int.self)
        let inboxServer = inbox.server { port in inboxPortSink.yield(port) }
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .warning)
        let inboxGroup = ServiceGroup(services: [inboxServer], logger: quiet)

        return try await withThrowingTaskGroup(of: Void.self) { outer in
            outer.addTask { try await inboxGroup.run() }
            var portIterator = inboxPorts.makeAsyncIterator()
            guard let inboxPort = await portIterator.next() else { throw CancellationError() }

            let token = UUID().uuidString
            let config = GatewayConfig(
                listenHost: "127.0.0.1", listenPort: 0, adminToken: token,
                sqlitePath: options.folder + "/firstask.sqlite", promptsPath: options.promptsPath,
                rosterPath: options.rosterPath, deskPolicy: options.deskPolicy, dispatcher: options.dispatcher,
                channels: [HTTPInboxSettings(id: "sms", baseURL: "http://127.0.0.1:\(inboxPort)", pollInterval: 0.2,
                                             wait: options.wait, limit: options.limit)])
            let gateway = try await Gateway.build(config: config, clock: options.clock, logger: logger)
            let (adminPorts, adminPortSink) = AsyncStream.makeStream(of: Int.self)
            let services = gateway.services(withAdminServer: options.adminServer) { port in adminPortSink.yield(port) }
            let gatewayGroup = ServiceGroup(services: services, logger: logger)

            let result: T
            do {
                result = try await withThrowingTaskGroup(of: Void.self) { inner in
                    inner.addTask { try await gatewayGroup.run() }
                    var adminPort: Int?
                    if options.adminServer {
                        var iterator = adminPorts.makeAsyncIterator()
                        adminPort = await iterator.next()
                    }
                    let rig = LoopbackRig(inbox: inbox, gateway: gateway, inboxPort: inboxPort, adminPort: adminPort,
                                          adminToken: token)
                    // A failing body still stops the gateway gracefully: leaving the group by throwing would
                    // cancel the services instead, and a poller blocked in a long poll does not end on that.
                    let value: Result<T, any Error>
                    do { value = .success(try await body(rig)) } catch { value = .failure(error) }
                    await gatewayGroup.triggerGracefulShutdown()
                    try await inner.waitForAll()
                    return try value.get()
                }
            } catch {
                await inboxGroup.triggerGracefulShutdown()
                gateway.client.shutdown()
                throw error
            }
            gateway.client.shutdown()
            await inboxGroup.triggerGracefulShutdown()
            try await outer.waitForAll()
            return result
        }
    }

    /// Waits until every message the inbox holds is stored and handled and the outbox has nothing pending;
    /// returns whether that happened within `timeout`.
    @discardableResult
    public func settle(timeout: Duration = .seconds(10)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let injected = inbox.inbound.count
            let stored = try await gateway.store.inboundCount()
            let unhandled = try await gateway.store.write { tx in try tx.pendingInbound(limit: 1).count }
            let pending = try await gateway.store.outbound(status: .pending).count
            if stored == injected, unhandled == 0, pending == 0 { return true }
            try await Task.sleep(until: .now + .milliseconds(20))
        }
        return false
    }
}
