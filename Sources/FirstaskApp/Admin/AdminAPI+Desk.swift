import FirstaskChannels
import FirstaskClassifier
import FirstaskDesk
import Foundation
import Hummingbird

/// Admin routes that act through the desk: registering written complaints and their written replies, and
/// asking the roster who is on duty.
public struct DeskAccess: Sendable {
    let store: any Store
    let desk: DeskHolder
    let clock: any WallClock
    /// Rung after the desk enqueues texts, so they go out at once.
    let dispatcherBell: Doorbell

    public init(store: any Store, desk: DeskHolder, clock: any WallClock, dispatcherBell: Doorbell) {
        self.store = store
        self.desk = desk
        self.clock = clock
        self.dispatcherBell = dispatcherBell
    }

    /// Largest JSON body accepted (a written complaint's text included).
    static let maxBody = 64 * 1024
}

extension AdminAPI {
    static func addDeskRoutes(to api: RouterGroup<AdminRequestContext>, access: DeskAccess) {
        // Register a written complaint (书面投诉): {"register", "text", "resident"?, "channel"?, "locale"?} → 201 ticket.
        api.post("written-complaints") { request, context -> Response in
            let body: WrittenComplaintBody = try await decode(request, context: context)
            var locale: ReplyLocale?
            if let name = body.locale {
                guard let value = ReplyLocale(rawValue: name) else {
                    throw HTTPError(.badRequest, message: "locale must be zh-Hans, zh-Hant or en")
                }
                locale = value
            }
            let complaint = WrittenComplaint(register: body.register, text: body.text, resident: body.resident,
                                             channel: body.channel, locale: locale)
            let desk = access.desk.current
            let now = access.clock.now
            let ticket = try await deskCall { try await access.store.write { tx in try desk.registerWritten(complaint, tx, now: now) } }
            access.dispatcherBell.ring()
            context.logger.info("written complaint registered", metadata: ["ref": "\(ticket.ref)"])
            return try json(TicketJSON(ticket, events: try await access.store.ticket(ref: ticket.ref)?.events ?? []), status: .created)
        }
        // Record the written reply to a written complaint: {"text", "by"?} → 200 ticket. Needed before it can close.
        api.post("tickets/{ref}/written-reply") { request, context -> Response in
            let raw = try context.parameters.require("ref")
            let ref = CommandWords.ticketRef(raw) ?? raw
            let body: WrittenReplyBody = try await decode(request, context: context)
            let desk = access.desk.current
            let now = access.clock.now
            let by = body.by ?? "admin"
            let ticket = try await deskCall {
                try await access.store.write { tx in try desk.recordWrittenReply(ref: ref, text: body.text, by: by, tx, now: now) }
            }
            access.dispatcherBell.ring()
            return try json(TicketJSON(ticket, events: try await access.store.ticket(ref: ref)?.events ?? []))
        }
        // Who is on duty: `GET /api/duty[?at=2026-12-01T03:00:00Z]`, per front-line department, with heads.
        api.get("duty") { request, _ -> Response in
            var at = access.clock.now
            if let text = request.uri.queryParameters.get("at") {
                guard let date = try? Date(String(text), strategy: .iso8601) else {
                    throw HTTPError(.badRequest, message: "at must be an ISO 8601 time such as 2026-12-01T03:00:00Z")
                }
                at = date
            }
            let roster = try await access.store.roster()
            let departments = Department.allCases.map { department in
                DutyJSON.Department(
                    department: department.rawValue,
                    on_duty: roster.onDuty(department, at: at).map { DutyJSON.Person(id: $0.id, name: $0.name) },
                    head: roster.staff.first { $0.department == department && $0.role == .head }
                        .map { DutyJSON.Person(id: $0.id, name: $0.name) })
            }
            return try json(DutyJSON(at: TicketJSON.iso(at), time_zone: roster.timeZone.identifier, departments: departments,
                                     leaders: roster.leaders.map { DutyJSON.Person(id: $0.id, name: $0.name) }))
        }
    }

    /// Reads a JSON body of at most `DeskAccess.maxBody` bytes: 413 when larger, 400 when not the expected JSON.
    static func decode<T: Decodable>(_ request: Request, context: AdminRequestContext) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: DeskAccess.maxBody)
        } catch {
            context.logger.info("admin API request refused: body too large", metadata: ["path": "\(request.uri.path)"])
            throw HTTPError(.contentTooLarge, message: "the body must be at most \(DeskAccess.maxBody) bytes")
        }
        do {
            return try StrictJSON.decode(T.self, from: buffer.readableBytesView)
        } catch {
            context.logger.info("admin API request refused: bad JSON body", metadata: ["path": "\(request.uri.path)"])
            throw HTTPError(.badRequest, message: "the body must be JSON with the documented fields (\(Self.describe(error)))")
        }
    }

    /// A decoding error in words that name the field but never echo the body.
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as StrictJSON.Error: error.description
        case let DecodingError.keyNotFound(key, _): "missing \(key.stringValue)"
        case let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context):
            "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        default: "not valid JSON"
        }
    }

    /// Maps the desk's refusals to HTTP statuses.
    static func deskCall<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as DeskError {
            switch error {
            case .noSuchTicket: throw HTTPError(.notFound, message: error.description)
            case .notWritten, .duplicateRegister: throw HTTPError(.conflict, message: error.description)
            case .invalid: throw HTTPError(.badRequest, message: error.description)
            }
        }
    }
}

struct WrittenComplaintBody: Decodable {
    var register: String
    var text: String
    var resident: String?
    var channel: String?
    var locale: String?
}

struct WrittenReplyBody: Decodable {
    var text: String
    var by: String?
}

struct DutyJSON: Encodable {
    struct Person: Encodable {
        var id: String
        var name: String
    }

    struct Department: Encodable {
        var department: String
        var on_duty: [Person]
        var head: Person?
    }

    var at: String
    var time_zone: String
    var departments: [Department]
    var leaders: [Person]
}
