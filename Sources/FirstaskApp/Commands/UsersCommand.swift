import ArgumentParser
import FirstaskClassifier
import FirstaskDesk
import FirstaskSQLite
import Foundation
import HummingbirdBcrypt

/// `firstask users add|list|remove|passwd`: the web console's accounts, in the gateway's store.
struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "Manage the web console's accounts (admin, head, viewer); passwords are read from standard input.",
        subcommands: [UsersAdd.self, UsersList.self, UsersRemove.self, UsersPasswd.self])

    /// The store named by the configuration (created if it does not exist yet, so accounts can come first).
    static func open(_ configPath: String?) throws -> SQLiteStore {
        let config: GatewayConfig
        do {
            config = try GatewayConfig.load(path: try configPath ?? ShippedFiles.locate("deploy/firstask.yaml"))
        } catch {
            throw exitForConfig(error)
        }
        if let problem = StorePath.problem(config.sqlitePath) {
            throw exitForConfig(ConfigError(file: config.file, key: "store.sqlite", problem: problem))
        }
        do {
            return try SQLiteStore(path: config.sqlitePath)
        } catch {
            throw RecordsContext.failure("the store of \(config.file) cannot be opened as this gateway's SQLite database")
        }
    }

    /// The password: the first line of standard input, never echoed or logged; at least 10 characters.
    static func readPassword() throws -> String {
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw RecordsContext.failure("no password on standard input (e.g. printf '%s\\n' \"$PASSWORD\" | firstask users add …)")
        }
        guard line.count >= 10 else { throw RecordsContext.failure("the password must be at least 10 characters") }
        return line
    }

    static let cost: UInt8 = 12
}

struct UsersAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add an account; its password is read from standard input.")

    @Argument(help: "The sign-in name (letters, digits, '.', '_', '-').")
    var name: String

    @Option(name: .long, help: "admin, head or viewer.")
    var role: String

    @Option(name: .long, help: "For a head: the department they head (service, engineering, fire_control, security, environment, management).")
    var department: String?

    @Option(name: .long, help: "The console's language for this account: zh-Hans, zh-Hant or en.")
    var locale: String = ReplyLocale.zhHans.rawValue

    @Option(name: .long, help: "The gateway configuration (its store.sqlite is used). Default: deploy/firstask.yaml.")
    var config: String?

    func validate() throws {
        if let problem = ConsoleAccount.problem(name: name) { throw ValidationError("NAME \(problem)") }
        guard let role = ConsoleAccount.Role(rawValue: role) else { throw ValidationError("--role must be admin, head or viewer") }
        if let department, Department(rawValue: department) == nil {
            throw ValidationError("--department must be one of: \(Department.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if role == .head, department == nil { throw ValidationError("a head needs --department") }
        if role != .head, department != nil { throw ValidationError("--department applies only to --role head") }
        guard ReplyLocale(rawValue: locale) != nil else { throw ValidationError("--locale must be zh-Hans, zh-Hant or en") }
    }

    func run() async throws {
        let store = try UsersCommand.open(config)
        let password = try UsersCommand.readPassword()
        let now = Date()
        let account = ConsoleAccount(
            name: name, role: ConsoleAccount.Role(rawValue: role) ?? .viewer, department: department.flatMap(Department.init(rawValue:)),
            passwordHash: Bcrypt.hash(password, cost: UsersCommand.cost), locale: ReplyLocale(rawValue: locale) ?? .zhHans,
            createdAt: now)
        do {
            try await store.addAccount(account)
        } catch let error as AccountError {
            throw RecordsContext.failure(error.description)
        }
        try await store.appendAudit(AuditEntry(at: now, account: "-", action: "user_added", subject: name, detail: role))
        print("added \(name) (\(role)\(department.map { ", \($0)" } ?? ""))")
    }
}

struct UsersList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "One line per account: name, role, department, language.")

    @Option(name: .long, help: "The gateway configuration. Default: deploy/firstask.yaml.")
    var config: String?

    func run() async throws {
        let store = try UsersCommand.open(config)
        for account in try await store.accounts() {
            print([account.name, account.role.rawValue, account.department?.rawValue ?? "-", account.locale.rawValue].joined(separator: "  "))
        }
    }
}

struct UsersRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove an account and end its sessions.")

    @Argument var name: String

    @Option(name: .long, help: "The gateway configuration. Default: deploy/firstask.yaml.")
    var config: String?

    func run() async throws {
        let store = try UsersCommand.open(config)
        do {
            try await store.removeAccount(name: name)
        } catch let error as AccountError {
            throw RecordsContext.failure(error.description)
        }
        try await store.appendAudit(AuditEntry(at: Date(), account: "-", action: "user_removed", subject: name))
        print("removed \(name)")
    }
}

struct UsersPasswd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "passwd", abstract: "Set an account's password (from standard input); its open sessions end.")

    @Argument var name: String

    @Option(name: .long, help: "The gateway configuration. Default: deploy/firstask.yaml.")
    var config: String?

    func run() async throws {
        let store = try UsersCommand.open(config)
        guard var account = try await store.account(name: name) else {
            throw RecordsContext.failure(AccountError.noSuchAccount(name).description)
        }
        account.passwordHash = Bcrypt.hash(try UsersCommand.readPassword(), cost: UsersCommand.cost)
        account.passwordChangedAt = Date()
        try await store.updateAccount(account)
        try await store.appendAudit(AuditEntry(at: Date(), account: "-", action: "password_changed", subject: name))
        print("password changed for \(name); its sessions have ended")
    }
}
