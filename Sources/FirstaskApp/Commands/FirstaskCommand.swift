import ArgumentParser
import Foundation

/// `firstask` — the command-line entry point (README, "Running the gateway").
public struct FirstaskCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "firstask",
        abstract: "A text-message gateway for property management: every resident's message becomes an accountable ticket.",
        subcommands: [ServeCommand.self, CheckCommand.self, DemoCommand.self, ClassifyCommand.self, RulesCommand.self, TicketsCommand.self, ReportCommand.self, BenchCommand.self, SimulateInboxCommand.self])

    public init() {}
}

/// Prints a configuration error the way operators expect (`error: FILE: key 'K' …`) and exits 78 (EX_CONFIG).
func exitForConfig(_ error: any Error) -> ExitCode {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    return ExitCode(78)
}
