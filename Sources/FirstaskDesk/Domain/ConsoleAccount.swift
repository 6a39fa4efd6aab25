import FirstaskClassifier
import Foundation

/// A person who signs in to the web console (`firstask users add`). Not a roster member: a console account
/// acts on tickets through the same desk rules as staff, under its own name.
public struct ConsoleAccount: Sendable, Equatable, Codable {
    /// What an account may do (README, "Console"): a viewer reads, a head reads and works their department's
    /// tickets, an admin does everything, rules and accounts included.
    public enum Role: String, Sendable, Codable, CaseIterable {
        case admin, head, viewer
    }

    /// The sign-in name (letters, digits, `.`, `_`, `-`; at most 64 characters).
    public var name: String
    public var role: Role
    /// The department a head heads; `nil` for admins and viewers.
    public var department: Department?
    /// The bcrypt hash of the password; the password itself is never stored.
    public var passwordHash: String
    /// The language the console speaks to this account.
    public var locale: ReplyLocale
    public var createdAt: Date
    /// Sessions opened before this time are no longer valid (a password change signs out everywhere).
    public var passwordChangedAt: Date

    public init(
        name: String, role: Role, department: Department? = nil, passwordHash: String, locale: ReplyLocale = .zhHans,
        createdAt: Date, passwordChangedAt: Date? = nil
    ) {
        self.name = name
        self.role = role
        self.department = department
        self.passwordHash = passwordHash
        self.locale = locale
        self.createdAt = createdAt
        self.passwordChangedAt = passwordChangedAt ?? createdAt
    }

    /// Why `name` cannot be an account name, or `nil` when it can.
    public static func problem(name: String) -> String? {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        if name.isEmpty || name.count > 64 { return "must be 1 to 64 characters" }
        if !name.allSatisfy(allowed.contains) { return "may hold only letters, digits, '.', '_' and '-'" }
        return nil
    }

    /// The actor name the console writes on ticket timelines and in the audit log (`console:alice`), so a
    /// console step is never mistaken for a roster member's text.
    public var actor: String { "console:\(name)" }
}

/// One entry of the console's audit log: who did what, when (sign-ins, refusals, rule changes, accounts).
public struct AuditEntry: Sendable, Equatable {
    public var at: Date
    /// The account name, or the name someone tried to sign in as.
    public var account: String
    /// A stable word: `login`, `login_failed`, `login_throttled`, `logout`, `refused`, `note`, `rules_enabled`…
    public var action: String
    /// The ticket ref, rules version or account the action was about, if any.
    public var subject: String?
    /// Free detail for people (never a password, token or resident's number).
    public var detail: String

    public init(at: Date, account: String, action: String, subject: String? = nil, detail: String = "") {
        self.at = at
        self.account = account
        self.action = action
        self.subject = subject
        self.detail = detail
    }
}

/// A rules file the console put in force, kept so it can be put back (one-click rollback).
public struct RulesVersionEntry: Sendable, Equatable {
    public var id: Int64?
    public var at: Date
    public var account: String
    /// The rules' own `version`.
    public var version: String
    /// The whole `rules.yaml` (empty in listings).
    public var yaml: String

    public init(id: Int64? = nil, at: Date, account: String, version: String, yaml: String) {
        self.id = id
        self.at = at
        self.account = account
        self.version = version
        self.yaml = yaml
    }
}

/// Why an account operation was refused.
public enum AccountError: Error, Equatable, CustomStringConvertible {
    case exists(String)
    case noSuchAccount(String)

    public var description: String {
        switch self {
        case let .exists(name): "an account named \(name) already exists"
        case let .noSuchAccount(name): "no account named \(name)"
        }
    }
}
