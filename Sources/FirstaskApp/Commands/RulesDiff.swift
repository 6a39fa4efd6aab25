import ArgumentParser
import FirstaskClassifier
import FirstaskSQLite
import Foundation

/// `firstask rules diff --old A --new B (--messages FILE | --store FILE)`: which messages would be labelled
/// differently if the new rules were switched on.
struct RulesDiff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "List the messages whose labels differ between two rules files; exits 0 (a report), 2 on bad input.")

    @Option(name: .long, help: "The rules file in use now.")
    var old: String

    @Option(name: .long, help: "The rules file to compare it with.")
    var new: String

    @Option(name: .long, help: "Messages to compare on: JSON lines with at least id and text.")
    var messages: String?

    @Option(name: .long, help: "A gateway's SQLite database: compare on its stored inbound messages.")
    var store: String?

    @Option(name: .long, help: "With --store: at most this many messages (oldest first).")
    var limit: Int?

    func validate() throws {
        if (messages == nil) == (store == nil) {
            throw ValidationError("give exactly one of --messages FILE or --store SQLITE_FILE")
        }
        if let limit, limit < 0 { throw ValidationError("--limit must not be negative") }
        if limit != nil && store == nil { throw ValidationError("--limit applies only with --store") }
    }

    func run() async throws {
        let oldRules = try RulesCommand.load(old, failure: 2)
        let newRules = try RulesCommand.load(new, failure: 2)
        let corpus = try await loadMessages()
        let diff = RulesDiffing(old: Classifier(rules: oldRules), new: Classifier(rules: newRules), messages: corpus)
        print(diff.report(oldVersion: oldRules.version, newVersion: newRules.version))
    }

    /// The messages `--store` compares on: every stored inbound message (at most `limit`), oldest first, by id.
    /// `rules suggest` counts what its file would change on exactly these.
    static func storeMessages(_ sqlite: SQLiteStore, limit: Int?) async throws -> [(id: String, text: String)] {
        try await sqlite.inboundTexts(limit: limit).map { (id: String($0.id), text: $0.text) }
    }

    private func loadMessages() async throws -> [(id: String, text: String)] {
        if let messages {
            do {
                return try RulesDiffing.messages(jsonLines: try Prompts.readText(messages))
            } catch let error as CorpusError {
                RulesCommand.printError("error: \(messages): \(error)")
            } catch {
                RulesCommand.printError("error: \(error)")
            }
            throw ExitCode(2)
        }
        let path = store ?? ""
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue else {
            RulesCommand.printError("error: \(path): no such SQLite file")
            throw ExitCode(2)
        }
        do {
            return try await Self.storeMessages(try SQLiteStore(path: path), limit: limit)
        } catch {
            RulesCommand.printError("error: \(path): \(error)")
            throw ExitCode(2)
        }
    }
}
