import FirstaskDesk
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// Reloads the prompts folder (rules, templates, staff command words) into the running desk.
///
/// A folder that does not load is refused with the error and the prompts in force keep serving;
/// every ticket records the version of the rules that classified it.
public final class PromptsReloader: Sendable {
    private let folder: String
    private let policy: DeskPolicy
    private let desk: DeskHolder
    private let logger: Logger
    /// One reload at a time, so two requests cannot interleave their load and swap.
    private let lock = Mutex(())

    init(folder: String, policy: DeskPolicy, desk: DeskHolder, logger: Logger) {
        self.folder = folder
        self.policy = policy
        self.desk = desk
        self.logger = logger
    }

    /// The version of the rules in force.
    public var rulesVersion: String { desk.current.classifier.rules.version }

    /// Loads the folder and, if it is valid, puts it in force; returns the new rules version.
    /// Throws `ConfigError` naming the file and problem; then nothing changes.
    @discardableResult
    public func reload() throws -> String {
        try lock.withLock { _ in
            let previous = rulesVersion
            do {
                let prompts = try Prompts.load(folder: folder)
                desk.replace(prompts.desk(policy: policy, defaultChannel: desk.current.defaultChannel))
                logger.notice("prompts reloaded", metadata: ["rules_version": "\(prompts.rules.version)", "previous": "\(previous)"])
                return prompts.rules.version
            } catch {
                logger.error("prompts reload refused; the previous prompts keep serving",
                             metadata: ["error": "\(error)", "rules_version": "\(previous)"])
                throw error
            }
        }
    }

    /// A service that reloads on every SIGHUP until shutdown. SIGHUP is trapped from this call on (it
    /// would otherwise end the process), so make it before announcing that the gateway is ready.
    public func signalService() async -> some Service {
        SignalReload(reloader: self, signals: await UnixSignalsSequence(trapping: .sighup))
    }

    private struct SignalReload: Service {
        let reloader: PromptsReloader
        let signals: UnixSignalsSequence

        func run() async throws {
            for await _ in signals.cancelOnGracefulShutdown() {
                try? reloader.reload()  // a refused reload is logged; the gateway keeps running
            }
        }
    }
}
