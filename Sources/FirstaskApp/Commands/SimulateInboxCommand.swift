import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle

/// `firstask simulate-inbox --port N`: a simulated SMS inbox for trying `serve` by hand.
struct SimulateInboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate-inbox",
        abstract: "Serve a simulated SMS inbox (the HTTP inbox protocol) on 127.0.0.1; text it with POST /inject.")

    @Option(name: .long, help: "Port to listen on.")
    var port: Int = 9000

    func run() async throws {
        LoggingSetup.bootstrap()
        let inbox = SimulatedInbox()
        let server = inbox.server(port: port, onRunning: { port in
            print("simulated inbox on http://127.0.0.1:\(port)")
            print("text it: curl -s -X POST http://127.0.0.1:\(port)/inject -d '{\"from\":\"+8613900000000\",\"text\":\"3栋2单元501 厨房漏水\"}'")
        })
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: server)], gracefulShutdownSignals: [.sigterm, .sigint],
            logger: Logger(label: "firstask.simulated-inbox")))
        try await group.run()
    }
}
