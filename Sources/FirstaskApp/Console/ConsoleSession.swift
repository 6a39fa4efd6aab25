import FirstaskDesk
import Foundation
import Hummingbird
import HummingbirdAuth

/// What a console session holds (stored by hummingbird-auth's `SessionStorage` in the store): the account,
/// the CSRF token every form must carry back, and when it began (a later password change ends it).
struct ConsoleSession: Codable, Sendable {
    var account: String
    var csrf: String
    var since: Date
}

/// hummingbird-auth's key/value storage over the console's store table, so sessions survive restarts and are
/// shared by every instance that uses the same store.
struct ConsoleSessionDriver: PersistDriver {
    let store: any AccountStore

    func create<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        guard try await store.putSession(key: key, value: try JSONEncoder().encode(value), account: Self.account(value),
                                         expiresAt: Self.date(expires), onlyIfAbsent: true)
        else { throw PersistError.duplicate }
    }

    func set<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        var expiresAt = Self.date(expires)
        if expires == nil { expiresAt = try await store.session(key: key, now: Date())?.expiresAt }
        try await store.putSession(key: key, value: try JSONEncoder().encode(value), account: Self.account(value),
                                   expiresAt: expiresAt, onlyIfAbsent: false)
    }

    func get<Object: Codable & Sendable>(key: String, as type: Object.Type) async throws -> Object? {
        try await getWithTTL(key: key, as: type)?.object
    }

    func getWithTTL<Object: Codable & Sendable>(key: String, as type: Object.Type) async throws -> (object: Object, ttl: Duration?)? {
        let now = Date()
        guard let found = try await store.session(key: key, now: now) else { return nil }
        guard let object = try? JSONDecoder().decode(type, from: found.value) else { throw PersistError.invalidConversion }
        return (object, found.expiresAt.map { .seconds($0.timeIntervalSince(now)) })
    }

    func remove(key: String) async throws {
        try await store.removeSession(key: key)
    }

    func shutdown() async throws {}

    func run() async throws {}

    static func date(_ duration: Duration?) -> Date? {
        duration.map { Date().addingTimeInterval(TimeInterval($0.components.seconds)) }
    }

    static func account(_ value: some Sendable) -> String? { (value as? ConsoleSession)?.account }
}

/// Random tokens for session CSRF and the login form, and their constant-time comparison.
enum ConsoleToken {
    static func make() -> String {
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func matches(_ given: String?, _ expected: String) -> Bool {
        guard let given, !expected.isEmpty else { return false }
        return BearerTokenMiddleware<AdminRequestContext>.constantTimeEqual(Array(given.utf8), Array(expected.utf8))
    }
}
