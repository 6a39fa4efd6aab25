import FirstaskDesk
import Foundation
import Synchronization

/// An `AccountStore` in memory, for tests of the console; behaves like `SQLiteStore`'s tables.
public final class InMemoryAccountStore: AccountStore {
    struct State {
        var accounts: [String: ConsoleAccount] = [:]
        var sessions: [String: (value: Data, account: String?, expiresAt: Date?)] = [:]
        var audit: [AuditEntry] = []
        var rulesVersions: [RulesVersionEntry] = []
    }

    let state = Mutex(State())

    public init() {}

    public func addAccount(_ account: ConsoleAccount) async throws {
        try state.withLock { state in
            guard state.accounts[account.name] == nil else { throw AccountError.exists(account.name) }
            state.accounts[account.name] = account
        }
    }

    public func account(name: String) async throws -> ConsoleAccount? {
        state.withLock { $0.accounts[name] }
    }

    public func accounts() async throws -> [ConsoleAccount] {
        state.withLock { $0.accounts.values.sorted { $0.name < $1.name } }
    }

    public func updateAccount(_ account: ConsoleAccount) async throws {
        try state.withLock { state in
            guard state.accounts[account.name] != nil else { throw AccountError.noSuchAccount(account.name) }
            state.accounts[account.name] = account
        }
    }

    public func removeAccount(name: String) async throws {
        try state.withLock { state in
            guard state.accounts.removeValue(forKey: name) != nil else { throw AccountError.noSuchAccount(name) }
            state.sessions = state.sessions.filter { $0.value.account != name }
        }
    }

    public func putSession(key: String, value: Data, account: String?, expiresAt: Date?, onlyIfAbsent: Bool) async throws -> Bool {
        state.withLock { state in
            let now = Date()
            if onlyIfAbsent, let existing = state.sessions[key], existing.expiresAt.map({ $0 > now }) ?? true { return false }
            state.sessions[key] = (value, account, expiresAt)
            return true
        }
    }

    public func session(key: String, now: Date) async throws -> (value: Data, expiresAt: Date?)? {
        state.withLock { state in
            guard let found = state.sessions[key], found.expiresAt.map({ $0 > now }) ?? true else { return nil }
            return (found.value, found.expiresAt)
        }
    }

    public func removeSession(key: String) async throws {
        _ = state.withLock { $0.sessions.removeValue(forKey: key) }
    }

    public func appendRulesVersion(_ entry: RulesVersionEntry) async throws -> Int64 {
        state.withLock { state in
            var entry = entry
            entry.id = Int64(state.rulesVersions.count + 1)
            state.rulesVersions.append(entry)
            return entry.id!
        }
    }

    public func rulesVersions(limit: Int) async throws -> [RulesVersionEntry] {
        state.withLock { state in
            state.rulesVersions.reversed().prefix(limit).map { entry in
                var entry = entry
                entry.yaml = ""
                return entry
            }
        }
    }

    public func rulesVersion(id: Int64) async throws -> RulesVersionEntry? {
        state.withLock { $0.rulesVersions.first { $0.id == id } }
    }

    public func appendAudit(_ entry: AuditEntry) async throws {
        state.withLock { $0.audit.append(entry) }
    }

    public func auditLog(limit: Int) async throws -> [AuditEntry] {
        state.withLock { Array($0.audit.reversed().prefix(limit)) }
    }
}
