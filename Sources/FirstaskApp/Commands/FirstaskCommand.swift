import ArgumentParser
import Foundation
import Logging

/// `firstask` — the command-line entry point (README, "Running the gateway").
public struct FirstaskCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "firstask",
        abstract: "A text-message gateway for property management: every resident's message becomes an accountable ticket.",
        subcommands: [ServeCommand.self, CheckCommand.self, DemoCommand.self, ClassifyCommand.self, RulesCommand.self, TicketsCommand.self, UsersCommand.self, ReportCommand.self, BenchCommand.self, SimulateInboxCommand.self])

    public init() {}
}

/// Prints a failure that is not the configuration's (`error: the gateway cannot start: …`) and exits 1.
/// The error is named by its type only: a Foundation or NIO description is a code, not a sentence, and may
/// carry a value; the whole description goes to the debug log.
func exitForRuntime(_ what: String, _ error: any Error) -> ExitCode {
    let reason = "an unexpected \(String(reflecting: type(of: error))) error (for example the address of http.listen "
        + "is in use, or the disk is full); run with LOG_LEVEL=debug for the details"
    Logger(label: "firstask").debug("runtime failure", metadata: ["error": "\(error)"])
    FileHandle.standardError.write(Data("error: the gateway \(what): \(reason)\n".utf8))
    return ExitCode(1)
}

/// Prints a configuration error the way operators expect (`error: FILE: key 'K' …`) and exits 78 (EX_CONFIG).
func exitForConfig(_ error: any Error) -> ExitCode {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    return ExitCode(78)
}
