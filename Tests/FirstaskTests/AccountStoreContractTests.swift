import FirstaskDesk
import FirstaskSQLite
import FirstaskTesting
import Foundation
import Testing

/// The contract every `AccountStore` keeps: SQLite and the in-memory one, case by case.
@Suite("AccountStore contract: accounts, sessions with expiry, rules versions, audit log")
struct AccountStoreContractTests {
    static func withAccounts(_ kind: StoreKind, _ body: (any AccountStore) async throws -> Void) async throws {
        switch kind {
        case .memory:
            try await body(InMemoryAccountStore())
        case .sqlite:
            let folder = try RepositoryFiles.temporaryFolder("account-contract")
            defer { try? FileManager.default.removeItem(atPath: folder) }
            try await body(try SQLiteStore(path: folder + "/test.sqlite"))
        }
    }

    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("accounts: added once, read back whole, updated, removed with their sessions", arguments: StoreKind.allCases)
    func accounts(_ kind: StoreKind) async throws {
        try await Self.withAccounts(kind) { store in
            let head = ConsoleAccount(name: "li", role: .head, department: .engineering, passwordHash: "$2b$04$x", locale: .en,
                                      createdAt: Self.now)
            try await store.addAccount(head)
            await #expect(throws: AccountError.exists("li")) { try await store.addAccount(head) }
            try await store.addAccount(ConsoleAccount(name: "an", role: .viewer, passwordHash: "h", createdAt: Self.now))
            #expect(try await store.account(name: "li") == head)
            #expect(try await store.accounts().map(\.name) == ["an", "li"])
            var changed = head
            changed.passwordChangedAt = Self.now.addingTimeInterval(60)
            try await store.updateAccount(changed)
            #expect(try await store.account(name: "li")?.passwordChangedAt == changed.passwordChangedAt)
            await #expect(throws: AccountError.noSuchAccount("zz")) {
                try await store.updateAccount(ConsoleAccount(name: "zz", role: .admin, passwordHash: "h", createdAt: Self.now))
            }
            try await store.putSession(key: "s1", value: Data("a".utf8), account: "li", expiresAt: nil, onlyIfAbsent: false)
            try await store.putSession(key: "s2", value: Data("b".utf8), account: "an", expiresAt: nil, onlyIfAbsent: false)
            try await store.removeAccount(name: "li")
            #expect(try await store.account(name: "li") == nil)
            #expect(try await store.session(key: "s1", now: Date()) == nil)
            #expect(try await store.session(key: "s2", now: Date())?.value == Data("b".utf8))
            await #expect(throws: AccountError.noSuchAccount("li")) { try await store.removeAccount(name: "li") }
        }
    }

    @Test("sessions: create-if-absent, overwrite, expiry, removal", arguments: StoreKind.allCases)
    func sessions(_ kind: StoreKind) async throws {
        try await Self.withAccounts(kind) { store in
            let later = Date().addingTimeInterval(3600)
            #expect(try await store.putSession(key: "k", value: Data("1".utf8), account: nil, expiresAt: later, onlyIfAbsent: true))
            #expect(try await !store.putSession(key: "k", value: Data("2".utf8), account: nil, expiresAt: later, onlyIfAbsent: true))
            #expect(try await store.session(key: "k", now: Date())?.value == Data("1".utf8))
            try await store.putSession(key: "k", value: Data("3".utf8), account: nil, expiresAt: later, onlyIfAbsent: false)
            let found = try #require(try await store.session(key: "k", now: Date()))
            #expect(found.value == Data("3".utf8) && abs(found.expiresAt!.timeIntervalSince(later)) < 0.01)
            #expect(try await store.session(key: "k", now: later.addingTimeInterval(1)) == nil)
            try await store.removeSession(key: "k")
            #expect(try await store.session(key: "k", now: Date()) == nil)
        }
    }

    @Test("rules versions and the audit log come back newest first", arguments: StoreKind.allCases)
    func history(_ kind: StoreKind) async throws {
        try await Self.withAccounts(kind) { store in
            let first = try await store.appendRulesVersion(RulesVersionEntry(at: Self.now, account: "-", version: "v1", yaml: "a: 1"))
            let second = try await store.appendRulesVersion(RulesVersionEntry(at: Self.now, account: "li", version: "v2", yaml: "a: 2"))
            #expect(try await store.rulesVersions(limit: 5).map(\.version) == ["v2", "v1"])
            #expect(try await store.rulesVersions(limit: 5).allSatisfy { $0.yaml.isEmpty })
            #expect(try await store.rulesVersion(id: first)?.yaml == "a: 1")
            #expect(try await store.rulesVersion(id: second)?.account == "li")
            #expect(try await store.rulesVersion(id: 999) == nil)
            for action in ["login", "note", "logout"] {
                try await store.appendAudit(AuditEntry(at: Self.now, account: "li", action: action, subject: "T0001"))
            }
            #expect(try await store.auditLog(limit: 2).map(\.action) == ["logout", "note"])
        }
    }
}
