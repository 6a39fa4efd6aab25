import ArgumentParser
import FirstaskClassifier
import FirstaskDesk
import FirstaskSQLite
import Foundation

/// What the record commands (`tickets`, `report`) read: the gateway's store, its templates and roster,
/// found through the same configuration file `serve` runs with.
struct RecordsContext {
    var store: any Store
    var templates: Templates
    /// The stored roster (the one the gateway last ran with), or the roster file when the store has none.
    var roster: Roster
    var sqlitePath: String
    /// The same store, for what only SQLite offers (the stored messages' texts).
    var sqlite: SQLiteStore
    /// The rules file in force: `rules.yaml` in the configured prompts folder.
    var rulesPath: String
    /// Where the gateway keeps attachments (`media.dir`).
    var media: MediaFolder

    /// Opens the store named by `configPath` (default `deploy/firstask.yaml`). A bad config exits 78; a
    /// database that does not exist exits 1 rather than creating an empty one.
    static func open(configPath: String?) async throws -> RecordsContext {
        let config: GatewayConfig
        let prompts: Prompts
        do {
            config = try GatewayConfig.load(path: try configPath ?? ShippedFiles.locate("deploy/firstask.yaml"))
            prompts = try Prompts.load(folder: config.promptsPath)
        } catch {
            throw exitForConfig(error)
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: config.sqlitePath, isDirectory: &isFolder), !isFolder.boolValue else {
            throw failure("\(config.sqlitePath): no database here (store.sqlite); run the gateway first, or pass --config")
        }
        do {
            let store = try SQLiteStore(path: config.sqlitePath)
            var roster = try await store.roster()
            if roster.staff.isEmpty, let file = try? RosterFile.load(path: config.rosterPath) {
                roster = file
            }
            return RecordsContext(store: store, templates: prompts.templates, roster: roster, sqlitePath: config.sqlitePath,
                                  sqlite: store, rulesPath: config.promptsPath + "/rules.yaml",
                                  media: MediaFolder(dir: config.media.folder(sqlitePath: config.sqlitePath)))
        } catch {
            throw failure("\(error)")
        }
    }

    /// Prints `error: …` and returns exit code 1 to throw.
    static func failure(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        return ExitCode(1)
    }

    /// `text` to `path`, or to standard output when `path` is nil.
    static func emit(_ text: String, to path: String?) throws {
        guard let path else {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw failure("\(path): cannot write (\(error.localizedDescription))")
        }
    }
}

/// The `--locale` of the record commands: the language of headings and category names.
struct RecordLocaleOption: ParsableArguments {
    @Option(name: .long, help: "Language of headings and names: zh-Hans, zh-Hant or en.")
    var locale: String = ReplyLocale.zhHans.rawValue

    func validate() throws {
        guard ReplyLocale(rawValue: locale) != nil else {
            throw ValidationError("--locale must be one of: \(ReplyLocale.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    var value: ReplyLocale { ReplyLocale(rawValue: locale) ?? .zhHans }
}
