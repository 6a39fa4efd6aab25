import FirstaskClassifier
import FirstaskDesk
import Foundation
import Hummingbird
import HummingbirdAuth
import HummingbirdBcrypt
import Logging
import NIOPosix
import Synchronization

/// The web console under `/console/` on the admin listener (README, "Console"): server-rendered pages for the
/// service centre, department heads and the rules admin, signed in with `firstask users` accounts.
///
/// It acts only through what the rest of the gateway uses: the desk's ticket commands, the classifier in
/// force, `RulesDiffing` over the stored messages and `PromptsReloader`.
public struct Console: Sendable {
    let accounts: any AccountStore
    let store: any Store
    let desk: DeskHolder
    let reloader: PromptsReloader
    let texts: ConsoleTexts
    let clock: any WallClock
    let dispatcherBell: Doorbell
    /// The `rules.yaml` the reloader loads (what "enable" writes).
    let rulesPath: String
    /// The stored inbound messages the replay compares on, oldest first (`rules diff --store`).
    let storedMessages: @Sendable (Int?) async throws -> [(id: String, text: String)]
    let throttle: ThrottleBox
    let logger: Logger
    let sessions: SessionStorage<ConsoleSession>
    let secureSessions: SessionStorage<ConsoleSession>

    static let sessionLifetime: Duration = .seconds(12 * 3600)
    static let loginCookie = "firstask_login"
    /// The most messages a replay classifies twice (the newest are kept out beyond it; the page says so).
    static let replayLimit = 20_000
    /// Largest form accepted (a whole draft of `rules.yaml` included).
    static let maxForm = 1 << 20

    public init(
        accounts: any AccountStore, store: any Store, desk: DeskHolder, reloader: PromptsReloader, texts: ConsoleTexts,
        clock: any WallClock, dispatcherBell: Doorbell, rulesPath: String,
        storedMessages: @escaping @Sendable (Int?) async throws -> [(id: String, text: String)], logger: Logger
    ) {
        self.accounts = accounts
        self.store = store
        self.desk = desk
        self.reloader = reloader
        self.texts = texts
        self.clock = clock
        self.dispatcherBell = dispatcherBell
        self.rulesPath = rulesPath
        self.storedMessages = storedMessages
        self.throttle = ThrottleBox()
        self.logger = logger
        let driver = ConsoleSessionDriver(store: accounts)
        func storage(secure: Bool) -> SessionStorage<ConsoleSession> {
            SessionStorage(driver, configuration: .init(
                sessionCookieParameters: .init(name: "firstask_session", path: "/console", secure: secure, sameSite: .strict),
                keyPrefix: "console."))
        }
        sessions = storage(secure: false)
        secureSessions = storage(secure: true)
    }

    /// Failed sign-ins, counted in this process.
    final class ThrottleBox: Sendable {
        let state = Mutex(LoginThrottle())
    }

    /// A signed-in request: the account and its session.
    struct Visitor {
        var account: ConsoleAccount
        var session: ConsoleSession
        var locale: ReplyLocale { account.locale }
    }

    public func addRoutes(to router: Router<AdminRequestContext>) {
        let console = router.group("console")
        console.get("") { request, _ in
            try await self.visitor(request) == nil ? Self.redirect("/console/login") : Self.redirect("/console/tickets")
        }
        console.get("login") { request, _ in self.loginPage(request, error: nil, status: .ok) }
        console.post("login") { request, context in try await self.login(request, context) }
        console.post("logout") { request, context in try await self.logout(request, context) }
        console.get("tickets") { request, context in try await self.signedIn(request) { try await self.ticketList(request, $0) } }
        console.get("tickets/{ref}") { request, context in
            let ref = try context.parameters.require("ref")
            return try await self.signedIn(request) { try await self.ticketPage(ref: ref, $0, notice: [], status: .ok) }
        }
        console.post("tickets/{ref}") { request, context in
            let ref = try context.parameters.require("ref")
            return try await self.form(request, context) { form, visitor in try await self.ticketAction(ref: ref, form, visitor) }
        }
        console.get("rules") { request, _ in
            try await self.signedIn(request) { visitor in
                try await self.rulesPage(visitor, message: request.uri.queryParameters.get("message").map { String($0) }, draft: nil)
            }
        }
        console.post("rules") { request, context in
            try await self.form(request, context) { form, visitor in try await self.rulesAction(form, visitor) }
        }
        console.get("duty") { request, _ in try await self.signedIn(request) { try await self.dutyPage($0) } }
    }

    // MARK: Sessions

    func storage(for request: Request) -> SessionStorage<ConsoleSession> {
        request.headers[.init("X-Forwarded-Proto")!]?.lowercased() == "https" ? secureSessions : sessions
    }

    /// The signed-in account, or `nil` (no cookie, unknown or expired session, removed account, password changed since).
    func visitor(_ request: Request) async throws -> Visitor? {
        guard let session = try? await sessions.load(request: request),
              let account = try await accounts.account(name: session.account),
              session.since >= account.passwordChangedAt
        else { return nil }
        return Visitor(account: account, session: session)
    }

    func signedIn(_ request: Request, _ body: (Visitor) async throws -> Response) async throws -> Response {
        guard let visitor = try await visitor(request) else { return Self.redirect("/console/login") }
        return try await body(visitor)
    }

    /// A signed-in form post: refused (403) without the session's CSRF token, recorded in the audit log.
    func form(
        _ request: Request, _ context: AdminRequestContext, _ body: ([String: String], Visitor) async throws -> Response
    ) async throws -> Response {
        guard let visitor = try await visitor(request) else { return Self.redirect("/console/login") }
        let fields = try await Self.fields(request)
        guard ConsoleToken.matches(fields["_csrf"], visitor.session.csrf) else {
            context.logger.info("console form refused: missing or wrong CSRF token", metadata: ["path": "\(request.uri.path)"])
            try await audit(visitor.account.name, "refused", subject: request.uri.path, "no valid CSRF token")
            return refusal(visitor, key: "error.csrf")
        }
        return try await body(fields, visitor)
    }

    static func fields(_ request: Request) async throws -> [String: String] {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxForm)
        } catch {
            throw HTTPError(.contentTooLarge, message: "the form must be at most \(maxForm) bytes")
        }
        return FormBody.parse(String(buffer: buffer))
    }

    func login(_ request: Request, _ context: AdminRequestContext) async throws -> Response {
        let fields = try await Self.fields(request)
        guard ConsoleToken.matches(fields["_csrf"], request.cookies[Self.loginCookie]?.value.description ?? "") else {
            context.logger.info("console sign-in refused: missing or wrong CSRF token")
            return loginPage(request, error: "error.csrf", status: .forbidden)
        }
        let name = (fields["username"] ?? "").trimmingCharacters(in: .whitespaces)
        let password = fields["password"] ?? ""
        let now = clock.now
        let address = context.peer
        guard throttle.state.withLock({ $0.allows(account: name, address: address, now: now) }) else {
            context.logger.notice("console sign-in throttled")
            try await audit(name, "login_throttled", "too many failed sign-ins")
            return loginPage(request, error: "error.throttled", status: .tooManyRequests)
        }
        let account = ConsoleAccount.problem(name: name) == nil ? try await accounts.account(name: name) : nil
        // An unknown name costs a bcrypt check too, so timing does not tell which names exist.
        let hash = account?.passwordHash ?? Self.unknownAccountHash
        let good = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
        guard good, let account else {
            throttle.state.withLock { $0.failed(account: name, address: address, now: now) }
            context.logger.info("console sign-in failed")
            try await audit(name, "login_failed", "wrong name or password")
            return loginPage(request, error: "error.login", status: .unauthorized)
        }
        throttle.state.withLock { $0.succeeded(account: name) }
        let session = ConsoleSession(account: account.name, csrf: ConsoleToken.make(), since: max(now, account.passwordChangedAt))
        let cookie = try await storage(for: request).save(session: session, expiresIn: Self.sessionLifetime)
        try await audit(account.name, "login", "")
        var response = Self.redirect("/console/tickets")
        response.setCookie(cookie)
        return response
    }

    func logout(_ request: Request, _ context: AdminRequestContext) async throws -> Response {
        guard let visitor = try await visitor(request) else { return Self.redirect("/console/login") }
        let fields = try await Self.fields(request)
        guard ConsoleToken.matches(fields["_csrf"], visitor.session.csrf) else {
            try await audit(visitor.account.name, "refused", subject: request.uri.path, "no valid CSRF token")
            return refusal(visitor, key: "error.csrf")
        }
        let cookie = try await storage(for: request).delete(request: request)
        try await audit(visitor.account.name, "logout", "")
        var response = Self.redirect("/console/login")
        response.setCookie(cookie)
        return response
    }

    /// A bcrypt hash of nothing anyone can type, checked for unknown names.
    static let unknownAccountHash = Bcrypt.hash(ConsoleToken.make(), cost: 10)

    func audit(_ account: String, _ action: String, subject: String? = nil, _ detail: String) async throws {
        try await accounts.appendAudit(AuditEntry(at: clock.now, account: account, action: action, subject: subject, detail: detail))
    }

    // MARK: Pages

    func loginPage(_ request: Request, error: String?, status: HTTPResponse.Status) -> Response {
        let locale = Self.locale(acceptLanguage: request.headers[.acceptLanguage])
        let token = ConsoleToken.make()
        var data: [String: Any] = ["csrf": token, "title": texts.word("login.title", locale)]
        if let error { data["error"] = texts.word(error, locale) }
        var response = html(texts.render("login", locale, data), status: status)
        response.setCookie(Cookie(name: Self.loginCookie, value: token, maxAge: 3600, path: "/console", httpOnly: true,
                                  sameSite: .strict))
        return response
    }

    /// A page for a signed-in visitor: the layout gets the account, the navigation and the CSRF token.
    func page(_ name: String, _ visitor: Visitor, _ data: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        var context = data
        context["user"] = ["name": visitor.account.name, "role": texts.word("role.\(visitor.account.role.rawValue)", visitor.locale)]
        context["csrf"] = visitor.session.csrf
        context["admin"] = ConsolePolicy.canAdminister(visitor.account)
        return html(texts.render(name, visitor.locale, context), status: status)
    }

    func refusal(_ visitor: Visitor, key: String) -> Response {
        page("refused", visitor, ["title": texts.word("refused.title", visitor.locale), "reason": texts.word(key, visitor.locale)],
             status: .forbidden)
    }

    func html(_ text: String, status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [
            .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
            .init("X-Frame-Options")!: "DENY", .init("X-Content-Type-Options")!: "nosniff",
            .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'",
        ], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func redirect(_ path: String) -> Response {
        Response(status: .seeOther, headers: [.location: path, .cacheControl: "no-store"])
    }

    /// zh-Hant for `zh-TW`, `zh-HK`, `zh-Hant…`; zh-Hans for other Chinese; English otherwise (the login page,
    /// before anyone is known).
    static func locale(acceptLanguage: String?) -> ReplyLocale {
        let first = (acceptLanguage ?? "").split(separator: ",").first.map { $0.lowercased() } ?? ""
        if first.hasPrefix("zh-tw") || first.hasPrefix("zh-hk") || first.hasPrefix("zh-hant") || first.hasPrefix("zh-mo") { return .zhHant }
        if first.hasPrefix("zh") { return .zhHans }
        return .en
    }

    func time(_ date: Date?, _ roster: Roster) -> String { date.map { RecordFormat.time($0, roster.timeZone) } ?? "-" }
}
