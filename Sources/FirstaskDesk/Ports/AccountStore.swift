import Foundation

/// Durable storage for the web console: accounts, the rules versions it put in force, the sessions hummingbird-auth keeps (a key/value table
/// with expiry, so sessions survive restarts and are shared by every instance on the store) and the audit log.
///
/// Kept apart from `Store` so the console adds to the store without changing its contract.
/// Implementations: `SQLiteStore` and `InMemoryAccountStore`.
public protocol AccountStore: Sendable {
    /// Adds an account; throws `AccountError.exists` when the name is taken.
    func addAccount(_ account: ConsoleAccount) async throws
    func account(name: String) async throws -> ConsoleAccount?
    /// Every account, by name.
    func accounts() async throws -> [ConsoleAccount]
    /// Replaces a stored account (same name); throws `AccountError.noSuchAccount`.
    func updateAccount(_ account: ConsoleAccount) async throws
    /// Removes an account and every session it has; throws `AccountError.noSuchAccount`.
    func removeAccount(name: String) async throws

    /// Stores `value` under `key` until `expiresAt` (forever when `nil`). With `onlyIfAbsent`, a key already
    /// present and not expired is left alone and `false` returned.
    @discardableResult
    func putSession(key: String, value: Data, account: String?, expiresAt: Date?, onlyIfAbsent: Bool) async throws -> Bool
    /// The value under `key` and its expiry, or `nil` when absent or expired at `now`.
    func session(key: String, now: Date) async throws -> (value: Data, expiresAt: Date?)?
    func removeSession(key: String) async throws

    /// Keeps a copy of a rules file the console put in force; returns its id.
    @discardableResult
    func appendRulesVersion(_ entry: RulesVersionEntry) async throws -> Int64
    /// The newest `limit` copies, newest first, without their text.
    func rulesVersions(limit: Int) async throws -> [RulesVersionEntry]
    /// One copy with its text.
    func rulesVersion(id: Int64) async throws -> RulesVersionEntry?

    func appendAudit(_ entry: AuditEntry) async throws
    /// The newest `limit` entries, newest first.
    func auditLog(limit: Int) async throws -> [AuditEntry]
}
