import FirstaskClassifier
import FirstaskDesk
import Foundation
import GRDB

extension SQLiteStore: AccountStore {
    public func addAccount(_ account: ConsoleAccount) async throws {
        try await pool.write { db in
            guard try Row.fetchOne(db, sql: "SELECT 1 FROM console_account WHERE name = ?", arguments: [account.name]) == nil else {
                throw AccountError.exists(account.name)
            }
            try Self.saveAccount(account, db, insert: true)
        }
    }

    public func account(name: String) async throws -> ConsoleAccount? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM console_account WHERE name = ?", arguments: [name]).map(Self.account)
        }
    }

    public func accounts() async throws -> [ConsoleAccount] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM console_account ORDER BY name").map(Self.account)
        }
    }

    public func updateAccount(_ account: ConsoleAccount) async throws {
        try await pool.write { db in
            try Self.saveAccount(account, db, insert: false)
            guard db.changesCount == 1 else { throw AccountError.noSuchAccount(account.name) }
        }
    }

    public func removeAccount(name: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM console_account WHERE name = ?", arguments: [name])
            guard db.changesCount == 1 else { throw AccountError.noSuchAccount(name) }
            try db.execute(sql: "DELETE FROM console_session WHERE account = ?", arguments: [name])
        }
    }

    public func putSession(key: String, value: Data, account: String?, expiresAt: Date?, onlyIfAbsent: Bool) async throws -> Bool {
        try await pool.write { db in
            let now = Date().timeIntervalSince1970
            if onlyIfAbsent {
                let live = try Row.fetchOne(db, sql: """
                    SELECT 1 FROM console_session WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)
                    """, arguments: [key, now])
                if live != nil { return false }
            }
            try db.execute(sql: """
                INSERT INTO console_session (key, value, account, expires_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (key) DO UPDATE SET value = excluded.value, account = excluded.account, expires_at = excluded.expires_at
                """, arguments: [key, value, account, expiresAt?.timeIntervalSince1970])
            // Expired sessions are swept on every write, so the table stays the size of the live ones.
            try db.execute(sql: "DELETE FROM console_session WHERE expires_at IS NOT NULL AND expires_at <= ?", arguments: [now])
            return true
        }
    }

    public func session(key: String, now: Date) async throws -> (value: Data, expiresAt: Date?)? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT value, expires_at FROM console_session WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)
                """, arguments: [key, now.timeIntervalSince1970])
            else { return nil }
            let expires: Double? = row["expires_at"]
            return (value: row["value"], expiresAt: expires.map(Date.init(timeIntervalSince1970:)))
        }
    }

    public func removeSession(key: String) async throws {
        try await pool.write { db in try db.execute(sql: "DELETE FROM console_session WHERE key = ?", arguments: [key]) }
    }

    public func appendRulesVersion(_ entry: RulesVersionEntry) async throws -> Int64 {
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO console_rules_version (at, account, version, yaml) VALUES (?, ?, ?, ?)",
                           arguments: [entry.at.timeIntervalSince1970, entry.account, entry.version, entry.yaml])
            return db.lastInsertedRowID
        }
    }

    public func rulesVersions(limit: Int) async throws -> [RulesVersionEntry] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, at, account, version, '' AS yaml FROM console_rules_version ORDER BY id DESC LIMIT ?",
                             arguments: [limit]).map(Self.rulesVersion)
        }
    }

    public func rulesVersion(id: Int64) async throws -> RulesVersionEntry? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM console_rules_version WHERE id = ?", arguments: [id]).map(Self.rulesVersion)
        }
    }

    static func rulesVersion(_ row: Row) -> RulesVersionEntry {
        RulesVersionEntry(id: row["id"], at: Date(timeIntervalSince1970: row["at"]), account: row["account"],
                          version: row["version"], yaml: row["yaml"])
    }

    public func appendAudit(_ entry: AuditEntry) async throws {
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO console_audit (at, account, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
                           arguments: [entry.at.timeIntervalSince1970, entry.account, entry.action, entry.subject, entry.detail])
        }
    }

    public func auditLog(limit: Int) async throws -> [AuditEntry] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM console_audit ORDER BY id DESC LIMIT ?", arguments: [limit]).map { row in
                AuditEntry(at: Date(timeIntervalSince1970: row["at"]), account: row["account"], action: row["action"],
                           subject: row["subject"], detail: row["detail"])
            }
        }
    }

    static func saveAccount(_ account: ConsoleAccount, _ db: Database, insert: Bool) throws {
        let arguments: StatementArguments = [
            account.role.rawValue, account.department?.rawValue, account.passwordHash, account.locale.rawValue,
            account.createdAt.timeIntervalSince1970, account.passwordChangedAt.timeIntervalSince1970, account.name,
        ]
        if insert {
            try db.execute(sql: """
                INSERT INTO console_account (role, department, password_hash, locale, created_at, password_changed_at, name)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: arguments)
        } else {
            try db.execute(sql: """
                UPDATE console_account SET role = ?, department = ?, password_hash = ?, locale = ?, created_at = ?,
                password_changed_at = ? WHERE name = ?
                """, arguments: arguments)
        }
    }

    static func account(_ row: Row) -> ConsoleAccount {
        let department: String? = row["department"]
        let changed: Double = row["password_changed_at"]
        return ConsoleAccount(
            name: row["name"], role: ConsoleAccount.Role(rawValue: row["role"]) ?? .viewer,
            department: department.flatMap(Department.init(rawValue:)), passwordHash: row["password_hash"],
            locale: ReplyLocale(rawValue: row["locale"]) ?? .zhHans, createdAt: Date(timeIntervalSince1970: row["created_at"]),
            passwordChangedAt: Date(timeIntervalSince1970: changed))
    }
}
