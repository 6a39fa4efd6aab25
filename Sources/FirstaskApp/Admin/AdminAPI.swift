import FirstaskDesk
import Foundation
import Hummingbird
import Logging

/// The admin API routes (README, "Admin API"), all behind a bearer token.
public enum AdminAPI {
    /// Adds the `/api/…` routes to `router` (`/healthz`, `/readyz` and `/metrics` are `ObservabilityRoutes`).
    public static func addRoutes(
        to router: Router<AdminRequestContext>, store: any Store, reloader: PromptsReloader, token: String,
        desk: DeskAccess, intake: any ChannelStore, attachments: (any AttachmentStore)? = nil, media: MediaFolder? = nil
    ) {
        @Sendable func json(_ ticket: Ticket, _ events: [TicketEvent]) async throws -> TicketJSON {
            var shown = TicketJSON(ticket, events: events)
            if let attachments { shown.attachments = try await attachments.attachments(ticketRef: ticket.ref).map(TicketJSON.AttachmentJSON.init) }
            return shown
        }
        let api = router.group("api").add(middleware: BearerTokenMiddleware(token: token))
        api.get("tickets") { request, _ -> Response in
            let name = request.uri.queryParameters.get("status") ?? "open"
            guard let filter = TicketFilter(rawValue: name) else {
                throw HTTPError(.badRequest, message: "status must be open, closed or all")
            }
            var tickets: [TicketJSON] = []
            for ticket in try await store.tickets(filter) {
                let events = try await store.ticket(ref: ticket.ref)?.events ?? []
                tickets.append(try await json(ticket, events))
            }
            return try Self.json(["tickets": tickets])
        }
        // Put an edited prompts folder in force; a folder that does not load is refused (422) and the
        // prompts in force keep serving.
        api.post("rules/reload") { _, _ -> Response in
            do {
                return try Self.json(["rules_version": try reloader.reload()])
            } catch {
                let body = try JSONEncoder().encode(["error": "\(error)", "rules_version": reloader.rulesVersion])
                return Response(status: .unprocessableContent, headers: [.contentType: "application/json; charset=utf-8"],
                                body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
            }
        }
        // Deliveries each channel recorded in rejected_inbound (unreadable text or sender, no text…), so an
        // operator sees a provider sending garbage without reading the table.
        api.get("intake/rejected") { _, _ -> Response in
            try Self.json(["channels": try await intake.rejectedCounts()])
        }
        api.get("rules") { _, _ -> Response in
            try Self.json(["rules_version": reloader.rulesVersion])
        }
        addDeskRoutes(to: api, access: desk)
        api.get("tickets/{ref}") { _, context -> Response in
            let raw = try context.parameters.require("ref")
            let ref = CommandWords.ticketRef(raw) ?? raw
            guard let found = try await store.ticket(ref: ref) else {
                throw HTTPError(.notFound, message: "no ticket \(ref)")
            }
            return try Self.json(try await json(found.ticket, found.events))
        }
        // An attachment's bytes by content address, with the type it was stored as.
        api.get("media/{sha256}") { _, context -> Response in
            let address = try context.parameters.require("sha256")
            guard let attachments, let media, let stored = try await attachments.storedAttachment(sha256: address),
                  let data = media.read(address)
            else { throw HTTPError(.notFound, message: "no stored attachment with this address") }
            return Response(status: .ok, headers: [.contentType: stored.contentType ?? "application/octet-stream",
                                                   .contentDisposition: "inline", .cacheControl: "private, max-age=86400"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        }
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Refuses requests without `Authorization: Bearer <token>` (401), comparing in constant time.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let header = request.headers[.authorization] ?? ""
        let prefix = "Bearer "
        guard header.hasPrefix(prefix), Self.constantTimeEqual(Array(header.utf8.dropFirst(prefix.utf8.count)), Array(token.utf8)) else {
            context.logger.info("admin API request refused: missing or wrong bearer token", metadata: ["path": "\(request.uri.path)"])
            throw HTTPError(.unauthorized, headers: [.wwwAuthenticate: "Bearer"], message: "a valid bearer token is required")
        }
        return try await next(request, context)
    }

    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        var difference = UInt8(lhs.count == rhs.count ? 0 : 1)
        for index in 0..<max(lhs.count, rhs.count) {
            difference |= (index < lhs.count ? lhs[index] : 0) ^ (index < rhs.count ? rhs[index] : 0)
        }
        return difference == 0
    }
}
