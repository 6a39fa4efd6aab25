import Foundation

/// Runs a command-line tool to completion for a test (promtool, systemd-analyze, `firstask check`).
public enum ToolRun {
    /// Runs `executable` with `arguments` (standard input from `input`, working folder `directory` when given);
    /// returns its exit status and its standard output and error, joined.
    public static func run(_ executable: String, _ arguments: [String], input: Data? = nil, in directory: String? = nil) throws
        -> (status: Int32, output: String)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(input) }
        try stdin.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
