import ArgumentParser
import Foundation
import Logging

/// `firstask serve --config FILE`: runs the gateway until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the gateway until SIGTERM (configuration: see deploy/firstask.yaml).")

    @Option(name: .long, help: "The YAML configuration file.")
    var config: String

    func run() async throws {
        let settings: GatewayConfig
        do {
            settings = try GatewayConfig.load(path: config)
        } catch {
            throw exitForConfig(error)
        }
        LoggingSetup.bootstrap(settings.log)
        let logger = Logger(label: "firstask")
        let gateway: Gateway
        do {
            gateway = try await Gateway.build(config: settings, logger: logger)
        } catch let error as ConfigError {
            throw exitForConfig(error)
        } catch {
            throw exitForRuntime("cannot start", error)
        }
        do {
            try await gateway.run()
        } catch {
            throw exitForRuntime("stopped", error)
        }
    }
}
