import FirstaskApp
import FirstaskClassifier
import FirstaskCurl
import FirstaskDesk
import FirstaskSQLite
import FirstaskTesting
import Foundation
import HummingbirdBcrypt
import Testing

@testable import FirstaskApp

/// A browser without JavaScript over libcurl: keeps the cookies the console sets, reads the CSRF token from
/// the last page, never follows redirects (so tests see them).
final class ConsoleClient: @unchecked Sendable {
    let base: String
    let client = CurlHTTPClient()
    var cookies: [String: String] = [:]
    var lastPage = ""
    var headers: [(name: String, value: String)] = []

    init(port: Int) { base = "http://127.0.0.1:\(port)" }
    deinit { client.shutdown() }

    @discardableResult
    func get(_ path: String) async throws -> HTTPResponse {
        try await send(HTTPRequest(url: base + path, headers: cookieHeader() + headers))
    }

    /// Posts a form; `csrf: true` adds the token of the last page's first form.
    @discardableResult
    func post(_ path: String, _ fields: [(String, String)], csrf: Bool = true) async throws -> HTTPResponse {
        var all = fields
        if csrf, let token = Self.csrf(in: lastPage) { all.append(("_csrf", token)) }
        let body = all.map { "\(FormBody.escape($0.0))=\(FormBody.escape($0.1))" }.joined(separator: "&")
        return try await send(HTTPRequest(method: .post, url: base + path,
                                          headers: cookieHeader() + headers + [(name: "Content-Type", value: "application/x-www-form-urlencoded")],
                                          body: Data(body.utf8)))
    }

    func login(_ name: String, _ password: String) async throws -> HTTPResponse {
        try await get("/console/login")
        return try await post("/console/login", [("username", name), ("password", password)])
    }

    private func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let response = try await client.execute(request)
        for header in response.headers where header.name.lowercased() == "set-cookie" {
            let pair = header.value.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            let expired = header.value.lowercased().contains("max-age=0") || Self.expiresInPast(header.value)
            cookies[String(pair[0])] = expired ? nil : String(pair[1])
        }
        lastPage = String(decoding: response.body, as: UTF8.self)
        return response
    }

    private func cookieHeader() -> [(name: String, value: String)] {
        cookies.isEmpty ? [] : [(name: "Cookie", value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))]
    }

    static func expiresInPast(_ header: String) -> Bool {
        guard let range = header.range(of: "Expires=", options: .caseInsensitive) else { return false }
        let text = header[range.upperBound...].split(separator: ";")[0]
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: String(text)).map { $0 <= Date() } ?? false
    }

    static func csrf(in page: String) -> String? {
        guard let range = page.range(of: #"name="_csrf" value=""#) else { return nil }
        return String(page[range.upperBound...].prefix { $0 != "\"" })
    }

    func count(_ needle: String) -> Int { lastPage.components(separatedBy: needle).count - 1 }
}

enum ConsoleFixture {
    static let password = "correct horse battery"

    /// A gateway on loopback with two tickets (engineering and security) and the accounts `admin`, `viewer`,
    /// `eng_head` (engineering) and `sec_head` (security).
    static func with(_ body: @Sendable (LoopbackRig, Int) async throws -> Void, prompts: String = RepositoryFiles.prompts) async throws {
        let folder = try RepositoryFiles.temporaryFolder("console")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let options = LoopbackRig.Options(folder: folder, promptsPath: prompts, rosterPath: RepositoryFiles.roster)
        try await LoopbackRig.with(options, logger: quietLogger()) { rig in
            rig.inbox.inject(from: "+8613911110001", text: "3栋2单元501厨房水管漏水")
            rig.inbox.inject(from: "+8613911110002", text: "小区门口有陌生人翻墙进来")
            #expect(try await rig.settle())
            try await addAccounts(rig.gateway.accounts)
            try await body(rig, try #require(rig.adminPort))
        }
    }

    static func addAccounts(_ accounts: any AccountStore) async throws {
        let hash = Bcrypt.hash(password, cost: 4)
        let now = Date()
        try await accounts.addAccount(ConsoleAccount(name: "admin", role: .admin, passwordHash: hash, locale: .en, createdAt: now))
        try await accounts.addAccount(ConsoleAccount(name: "viewer", role: .viewer, passwordHash: hash, locale: .en, createdAt: now))
        try await accounts.addAccount(ConsoleAccount(name: "eng_head", role: .head, department: .engineering, passwordHash: hash,
                                                     locale: .zhHans, createdAt: now))
        try await accounts.addAccount(ConsoleAccount(name: "sec_head", role: .head, department: .security, passwordHash: hash,
                                                     locale: .en, createdAt: now))
    }
}

@Suite("Console: pure parts (throttle, highlight, filters, forms, roles)")
struct ConsoleLogicTests {
    @Test("sign-ins are refused after 5 failures of one name or 20 from one address, until they leave the window")
    func throttle() {
        var throttle = LoginThrottle()
        let start = Date(timeIntervalSince1970: 1_000_000)
        for _ in 0..<5 {
            #expect(throttle.allows(account: "alice", address: "10.0.0.1", now: start))
            throttle.failed(account: "alice", address: "10.0.0.1", now: start)
        }
        #expect(!throttle.allows(account: "alice", address: "10.0.0.2", now: start))
        #expect(throttle.allows(account: "bob", address: "10.0.0.1", now: start))
        #expect(throttle.allows(account: "alice", address: "10.0.0.2", now: start.addingTimeInterval(15 * 60 + 1)))
        for index in 0..<20 { throttle.failed(account: "u\(index)", address: "10.0.0.9", now: start) }
        #expect(!throttle.allows(account: "fresh", address: "10.0.0.9", now: start))
        #expect(throttle.allows(account: "fresh", address: "10.0.0.8", now: start))
    }

    @Test("fired rules' spans become marked pieces, counted in Unicode scalars; overlaps merge")
    func highlight() {
        let pieces = Highlight.pieces("3栋漏水了", spans: [MatchedSpan(rule: "leak", text: "漏水", start: 2, end: 4),
                                                       MatchedSpan(rule: "wet", text: "水", start: 3, end: 4)])
        #expect(pieces == [.init(text: "3栋", rules: []), .init(text: "漏", rules: ["leak"]), .init(text: "水", rules: ["leak", "wet"]),
                           .init(text: "了", rules: [])])
        #expect(Highlight.pieces("ab", spans: [MatchedSpan(rule: "x", text: "?", start: 1, end: 9)]) == [.init(text: "ab", rules: [])])
    }

    @Test("filters read from the query; unknown values switch a filter off; paging keeps the filters")
    func query() {
        let values = ["status": "all", "category": "bogus", "severity": "emergency", "q": " 漏水 ", "page": "3", "overdue": "1"]
        let query = TicketQuery { values[$0] }
        #expect(query.status == .all && query.category == nil && query.severity == .emergency && query.text == "漏水")
        #expect(query.page == 3 && query.overdue)
        #expect(query.queryString(page: 4) == "status=all&severity=emergency&overdue=1&q=%E6%BC%8F%E6%B0%B4&page=4")
        #expect(TicketQuery { _ in nil }.status == .open)
    }

    @Test("form bodies: + is a space, percent escapes decode, the first of a repeated field wins")
    func form() {
        #expect(FormBody.parse("a=1+2&b=%E6%BC%8F&a=3&c") == ["a": "1 2", "b": "漏", "c": ""])
    }
}

@Suite("Console over HTTP: sign-in, CSRF, throttling, roles, actions through the desk")
struct ConsoleHTTPTests {
    @Test("/console/ sends a stranger to the sign-in form; a session cookie is HttpOnly, SameSite=Strict, Secure behind TLS")
    func signIn() async throws {
        try await ConsoleFixture.with { _, port in
            let browser = ConsoleClient(port: port)
            let first = try await browser.get("/console/")
            #expect(first.status == 303 && first.header("Location") == "/console/login")
            #expect(try await browser.get("/console/tickets").header("Location") == "/console/login")
            let form = try await browser.get("/console/login")
            #expect(form.status == 200 && browser.lastPage.contains(#"name="username""#) && browser.lastPage.contains(#"name="password""#))

            let wrong = try await browser.post("/console/login", [("username", "admin"), ("password", "not it at all")])
            #expect(wrong.status == 401 && browser.cookies["firstask_session"] == nil)
            try await browser.get("/console/login")
            let right = try await browser.post("/console/login", [("username", "admin"), ("password", ConsoleFixture.password)])
            #expect(right.status == 303 && right.header("Location") == "/console/tickets")
            let cookie = try #require(right.headers.first { $0.name.lowercased() == "set-cookie" && $0.value.hasPrefix("firstask_session=") })
            #expect(cookie.value.contains("HttpOnly") && cookie.value.contains("SameSite=Strict") && cookie.value.contains("Path=/console"))
            #expect(!cookie.value.contains("Secure"))
            #expect(try await browser.get("/console/").header("Location") == "/console/tickets")

            let proxied = ConsoleClient(port: port)
            proxied.headers = [(name: "X-Forwarded-Proto", value: "https")]
            let secure = try await proxied.login("admin", ConsoleFixture.password)
            #expect(secure.headers.contains { $0.name.lowercased() == "set-cookie" && $0.value.hasPrefix("firstask_session=") && $0.value.contains("Secure") })

        }
    }

    @Test("a sign-in form without its token is refused (403), as is any form of a session without the session's token")
    func csrf() async throws {
        try await ConsoleFixture.with { rig, port in
            let browser = ConsoleClient(port: port)
            try await browser.get("/console/login")
            let bare = try await browser.post("/console/login", [("username", "admin"), ("password", ConsoleFixture.password)], csrf: false)
            #expect(bare.status == 403 && browser.cookies["firstask_session"] == nil)
            #expect(try await browser.login("admin", ConsoleFixture.password).status == 303)
            try await browser.get("/console/tickets/T0001")
            let forged = try await browser.post("/console/tickets/T0001", [("verb", "note"), ("text", "forged note"), ("_csrf", "wrong")],
                                                csrf: false)
            #expect(forged.status == 403 && browser.lastPage.contains(#"data-testid="refused""#))
            let events = try #require(try await rig.gateway.store.ticket(ref: "T0001")).events
            #expect(!events.contains { $0.text.contains("forged note") })
            #expect(try await rig.gateway.accounts.auditLog(limit: 5).contains { $0.action == "refused" && $0.account == "admin" })
        }
    }

    @Test("after 5 wrong passwords the right one is refused too (429) until the window passes; failures are audited by name")
    func throttling() async throws {
        try await ConsoleFixture.with { rig, port in
            let browser = ConsoleClient(port: port)
            for _ in 0..<5 { #expect(try await browser.login("viewer", "wrong password!").status == 401) }
            #expect(try await browser.login("viewer", ConsoleFixture.password).status == 429)
            #expect(browser.cookies["firstask_session"] == nil)
            // Another name from the same address is still let in (the address limit is higher).
            #expect(try await browser.login("admin", ConsoleFixture.password).status == 303)
            let log = try await rig.gateway.accounts.auditLog(limit: 20)
            #expect(log.filter { $0.action == "login_failed" && $0.account == "viewer" }.count == 5)
            #expect(log.contains { $0.action == "login_throttled" })
            #expect(!log.contains { $0.detail.contains("wrong password") })
        }
    }

    @Test("the list shows rows with data-testid=ticket-row; a note from the page goes through the desk onto the timeline and the API")
    func noteThroughTheDesk() async throws {
        try await ConsoleFixture.with { rig, port in
            let browser = ConsoleClient(port: port)
            #expect(try await browser.login("admin", ConsoleFixture.password).status == 303)
            #expect(try await browser.get("/console/tickets").status == 200)
            #expect(browser.count(#"data-testid="ticket-row""#) == 2)
            try await browser.get("/console/tickets?q=%E6%BC%8F%E6%B0%B4")
            #expect(browser.count(#"data-testid="ticket-row""#) == 1 && browser.lastPage.contains(#"data-ref="T0001""#))
            try await browser.get("/console/tickets?department=security")
            #expect(browser.count(#"data-testid="ticket-row""#) == 1 && browser.lastPage.contains(#"data-ref="T0002""#))

            #expect(try await browser.get("/console/tickets/T0001").status == 200)
            let done = try await browser.post("/console/tickets/T0001", [("verb", "note"), ("text", "called the plumber <b>now</b>")])
            #expect(done.status == 200 && browser.lastPage.contains(#"data-testid="ticket-notice""#))
            #expect(browser.lastPage.contains("called the plumber &lt;b&gt;now&lt;/b&gt;"))
            let events = try #require(try await rig.gateway.store.ticket(ref: "T0001")).events
            #expect(events.contains { $0.kind == .note && $0.actor == "console:admin" && $0.text == "called the plumber <b>now</b>" })
            let api = try await rig.gateway.client.execute(HTTPRequest(
                url: "http://127.0.0.1:\(port)/api/tickets/T0001", headers: [(name: "Authorization", value: "Bearer \(rig.adminToken)")]))
            #expect(String(decoding: api.body, as: UTF8.self).contains("console:admin"))
            #expect(try await rig.gateway.accounts.auditLog(limit: 5).contains { $0.action == "note" && $0.subject == "T0001" })

            // A transfer goes through the desk's own command words: the ticket moves to security.
            try await browser.post("/console/tickets/T0001", [("verb", "transfer"), ("department", "security"), ("text", "gate pipe")])
            #expect(try #require(try await rig.gateway.store.ticket(ref: "T0001")).ticket.department == .security)
        }
    }

    @Test("a viewer reads but is refused every action (403, audited); a head sees only their department's tickets")
    func roles() async throws {
        try await ConsoleFixture.with { rig, port in
            let viewer = ConsoleClient(port: port)
            #expect(try await viewer.login("viewer", ConsoleFixture.password).status == 303)
            try await viewer.get("/console/tickets")
            #expect(viewer.count(#"data-testid="ticket-row""#) == 2)
            try await viewer.get("/console/tickets/T0001")
            #expect(!viewer.lastPage.contains(#"data-testid="action-note""#))
            let refused = try await viewer.post("/console/tickets/T0001", [("verb", "note"), ("text", "viewer note")])
            #expect(refused.status == 403)
            #expect(try #require(try await rig.gateway.store.ticket(ref: "T0001")).events.allSatisfy { !$0.text.contains("viewer note") })
            #expect(try await rig.gateway.accounts.auditLog(limit: 5).contains { $0.action == "refused" && $0.account == "viewer" })
            try await viewer.get("/console/rules")
            #expect(try await viewer.post("/console/rules", [("do", "enable"), ("draft", "x")]).status == 403)

            let head = ConsoleClient(port: port)
            #expect(try await head.login("sec_head", ConsoleFixture.password).status == 303)
            try await head.get("/console/tickets")
            #expect(head.count(#"data-testid="ticket-row""#) == 1 && head.lastPage.contains(#"data-ref="T0002""#))
            #expect(try await head.get("/console/tickets/T0001").status == 404)
            try await head.get("/console/tickets/T0002")
            #expect(head.lastPage.contains(#"data-testid="action-note""#))
            let ok = try await head.post("/console/tickets/T0002", [("verb", "note"), ("text", "spoke to the guard")])
            #expect(ok.status == 200)
            #expect(try #require(try await rig.gateway.store.ticket(ref: "T0002")).events.contains { $0.actor == "console:sec_head" })
        }
    }

    @Test("sign-out ends the session in the store: the old cookie no longer opens a page")
    func logout() async throws {
        try await ConsoleFixture.with { _, port in
            let browser = ConsoleClient(port: port)
            #expect(try await browser.login("admin", ConsoleFixture.password).status == 303)
            try await browser.get("/console/tickets")
            let stolen = try #require(browser.cookies["firstask_session"])
            #expect(try await browser.post("/console/logout", []).header("Location") == "/console/login")
            #expect(browser.cookies["firstask_session"] == nil)
            browser.cookies["firstask_session"] = stolen
            #expect(try await browser.get("/console/tickets").header("Location") == "/console/login")
        }
    }

    @Test("the playground shows the labels and the fired rules' words in <mark>; the pages speak the account's language")
    func playground() async throws {
        try await ConsoleFixture.with { _, port in
            let browser = ConsoleClient(port: port)
            #expect(try await browser.login("eng_head", ConsoleFixture.password).status == 303)
            try await browser.get("/console/rules?message=" + FormBody.escape("3栋2单元501厨房水管漏水"))
            #expect(browser.lastPage.contains(#"data-testid="playground-result""#))
            #expect(browser.lastPage.contains("<mark"))
            #expect(browser.lastPage.contains(#"data-testid="fired-rule""#))
            #expect(browser.lastPage.contains("退出登录"))  // zh-Hans: the account's language
            #expect(!browser.lastPage.contains(#"data-testid="draft-form""#))  // heads do not edit rules

            let admin = ConsoleClient(port: port)
            #expect(try await admin.login("admin", ConsoleFixture.password).status == 303)
            let page = try await admin.get("/console/rules?message=" + FormBody.escape("电梯坏了困人"))
            #expect(page.status == 200, "\(admin.lastPage.prefix(300))")
            #expect(admin.lastPage.contains(#"data-testid="playground-result""#) && admin.lastPage.contains(#"data-testid="draft-form""#))
            #expect(admin.lastPage.contains("Sign out"))  // en
        }
    }

    @Test("an admin's draft: errors located, a valid one replayed, put in force, then rolled back from the history")
    func enableAndRollBack() async throws {
        let folder = try RepositoryFiles.temporaryFolder("console-prompts")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let prompts = folder + "/prompts"
        try FileManager.default.copyItem(atPath: RepositoryFiles.prompts, toPath: prompts)
        let original = try String(contentsOfFile: prompts + "/rules.yaml", encoding: .utf8)
        try await ConsoleFixture.with({ rig, port in
            let before = rig.gateway.reloader.rulesVersion
            let admin = ConsoleClient(port: port)
            #expect(try await admin.login("admin", ConsoleFixture.password).status == 303)
            try await admin.get("/console/rules")
            let broken = try await admin.post("/console/rules", [("do", "check"), ("draft", "version: 1\nrules: [\n")])
            #expect(broken.status == 422 && admin.lastPage.contains(#"data-testid="draft-error""#) && admin.lastPage.contains("draft:"))
            let edited = original + "\n# a console edit\n"
            let checked = try await admin.post("/console/rules", [("do", "check"), ("draft", edited)])
            #expect(checked.status == 200 && admin.lastPage.contains(#"data-testid="replay-summary""#))
            #expect(admin.lastPage.contains("2 stored messages read again; 0 would be labelled differently"))
            #expect(rig.gateway.reloader.rulesVersion == before)  // checking changes nothing

            let enabled = try await admin.post("/console/rules", [("do", "enable"), ("draft", edited)])
            #expect(enabled.status == 200 && admin.lastPage.contains(#"data-testid="rules-enabled""#))
            #expect(rig.gateway.reloader.rulesVersion != before)
            #expect(try String(contentsOfFile: prompts + "/rules.yaml", encoding: .utf8) == edited)
            let versions = try await rig.gateway.accounts.rulesVersions(limit: 5)
            #expect(versions.map(\.version) == [rig.gateway.reloader.rulesVersion, before])

            let back = try await admin.post("/console/rules", [("do", "rollback"), ("version", String(try #require(versions.last?.id)))])
            #expect(back.status == 200)
            #expect(rig.gateway.reloader.rulesVersion == before)
            #expect(try String(contentsOfFile: prompts + "/rules.yaml", encoding: .utf8) == original)
            #expect(try await rig.gateway.accounts.auditLog(limit: 5).filter { $0.action == "rules_enabled" }.count == 2)
        }, prompts: prompts)
    }

    @Test("sessions live in the store: a new gateway on the same database accepts the cookie; a password change ends it")
    func sessionsSurviveRestart() async throws {
        let folder = try RepositoryFiles.temporaryFolder("console-restart")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let options = LoopbackRig.Options(folder: folder, promptsPath: RepositoryFiles.prompts, rosterPath: RepositoryFiles.roster)
        let cookie = try await LoopbackRig.with(options, logger: quietLogger()) { rig in
            try await ConsoleFixture.addAccounts(rig.gateway.accounts)
            let browser = ConsoleClient(port: try #require(rig.adminPort))
            #expect(try await browser.login("admin", ConsoleFixture.password).status == 303)
            return try #require(browser.cookies["firstask_session"])
        }
        try await LoopbackRig.with(options, logger: quietLogger()) { rig in
            let browser = ConsoleClient(port: try #require(rig.adminPort))
            browser.cookies["firstask_session"] = cookie
            #expect(try await browser.get("/console/tickets").status == 200)
            var account = try #require(try await rig.gateway.accounts.account(name: "admin"))
            account.passwordChangedAt = Date().addingTimeInterval(1)
            try await rig.gateway.accounts.updateAccount(account)
            #expect(try await browser.get("/console/tickets").status == 303)
        }
    }
}
