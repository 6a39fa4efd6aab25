import FirstaskApp
import Foundation
import Logging
import ServiceLifecycle

/// Runs an HTTP server (any service that reports its port) on a free loopback port for the duration of `body`.
public enum LiveServer {
    @discardableResult
    public static func with<App: Service, T: Sendable>(
        _ build: (_ onRunning: @escaping @Sendable (Int) async -> Void) -> App,
        _ body: @Sendable (Int) async throws -> T
    ) async throws -> T {
        let (ports, sink) = AsyncStream.makeStream(of: Int.self)
        let app = build { port in sink.yield(port) }
        var logger = Logger(label: "firstask.test-server")
        logger.logLevel = .warning
        let group = ServiceGroup(services: [app], logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            do {
                let value = try await body(port)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return value
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
        }
    }

    /// A simulated inbox served on a free port.
    @discardableResult
    public static func withInbox<T: Sendable>(
        _ inbox: SimulatedInbox = SimulatedInbox(), _ body: @Sendable (SimulatedInbox, Int) async throws -> T
    ) async throws -> T {
        try await with({ onRunning in inbox.server(onRunning: onRunning) }) { port in
            try await body(inbox, port)
        }
    }
}
