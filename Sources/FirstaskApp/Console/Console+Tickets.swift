import FirstaskClassifier
import FirstaskDesk
import Foundation
import Hummingbird

/// The ticket list, one ticket's record and the actions on it.
extension Console {
    func ticketList(_ request: Request, _ visitor: Visitor) async throws -> Response {
        let query = TicketQuery { request.uri.queryParameters.get($0).map { String($0) } }
        let now = clock.now
        let roster = try await store.roster()
        let words = RecordVocabulary(templates: desk.current.templates, locale: visitor.locale)
        let matching = try await store.tickets(query.status).reversed()
            .filter { ConsolePolicy.canSee(visitor.account, $0) && query.matches($0, now: now) }
        let pages = max(1, (matching.count + TicketQuery.pageSize - 1) / TicketQuery.pageSize)
        let current = min(query.page, pages)
        let shown = matching.dropFirst((current - 1) * TicketQuery.pageSize).prefix(TicketQuery.pageSize)
        let rows: [[String: Any]] = shown.map { ticket in
            let text = ticket.text.split(whereSeparator: { $0.isNewline }).joined(separator: " ")
            return [
                "ref": ticket.ref, "status": words.templates.render("status.\(ticket.status.rawValue)", visitor.locale),
                "severity": words.severity(ticket.severity), "category": words.category(ticket.category),
                "department": words.department(ticket.department), "created": time(ticket.createdAt, roster),
                "place": RecordFormat.place(ticket.location), "excerpt": text.count > 60 ? String(text.prefix(59)) + "…" : text,
                "overdue": TicketQuery.isOverdue(ticket, now: now), "escalated": ticket.escalation > 0,
                "emergency": ticket.severity == .emergency,
            ]
        }
        func options<Value: RawRepresentable & CaseIterable>(_ all: Value.AllCases, selected: Value?, _ name: (Value) -> String)
            -> [[String: Any]] where Value.RawValue == String
        {
            all.map { ["value": $0.rawValue, "label": name($0), "selected": $0.rawValue == selected?.rawValue] }
        }
        let statuses: [[String: Any]] = TicketFilter.allCases.map {
            ["value": $0.rawValue, "label": texts.word("filter.status_\($0.rawValue)", visitor.locale), "selected": $0 == query.status]
        }
        var data: [String: Any] = [
            "title": texts.word("tickets.title", visitor.locale), "rows": rows, "empty": rows.isEmpty,
            "statuses": statuses,
            "categories": options(Category.allCases, selected: query.category, words.category),
            "severities": options(Severity.allCases, selected: query.severity, words.severity),
            "departments": options(Department.allCases, selected: query.department, words.department),
            "overdue": query.overdue, "q": query.text,
            "summary": texts.word("tickets.summary", visitor.locale, [
                "count": String(matching.count), "page": String(current), "pages": String(pages),
            ]),
        ]
        if current > 1 { data["previous"] = "/console/tickets?" + query.queryString(page: current - 1) }
        if current < pages { data["next"] = "/console/tickets?" + query.queryString(page: current + 1) }
        return page("tickets", visitor, data)
    }

    func ticketPage(ref raw: String, _ visitor: Visitor, notice: [String], status: HTTPResponse.Status) async throws -> Response {
        let ref = CommandWords.ticketRef(raw) ?? raw
        guard let found = try await store.ticket(ref: ref), ConsolePolicy.canSee(visitor.account, found.ticket) else {
            // A head asking for another department's ticket learns no more than that it is not theirs to see.
            return page("refused", visitor, ["title": texts.word("refused.title", visitor.locale),
                                             "reason": texts.word("error.no_ticket", visitor.locale, ["ref": ref])], status: .notFound)
        }
        let roster = try await store.roster()
        let record = TicketRecord.build(ticket: found.ticket, events: found.events, roster: roster, asOf: clock.now)
        let templates = desk.current.templates
        let rendering = TicketRecordRendering(vocabulary: RecordVocabulary(templates: templates, locale: visitor.locale))
        func fields(_ list: [TicketRecordRendering.Field]) -> [[String: Any]] { list.map { ["label": $0.label, "value": $0.value] } }
        let steps: [[String: Any]] = record.steps.map { step in
            let row = rendering.step(step, record)
            return ["time": row.time, "who": row.who, "what": row.what, "text": row.text, "channel": row.channel]
        }
        let deadlines: [[String: Any]] = record.deadlines.map { check in
            let row = rendering.deadlineRow(check, record)
            return ["name": row.name, "due": row.due, "done": row.done, "outcome": row.outcome]
        }
        let words = rendering.vocabulary
        var data: [String: Any] = [
            "title": "\(texts.word("ticket.title", visitor.locale)) \(found.ticket.ref)", "ref": found.ticket.ref,
            "matter": fields(rendering.matter(record)), "result": fields(rendering.result(record)),
            "opinion": fields(rendering.opinion(record)), "steps": steps, "deadlines": deadlines,
            "notice": notice.map { ["line": $0] }, "has_notice": !notice.isEmpty,
            "overdue": TicketQuery.isOverdue(found.ticket, now: clock.now),
        ]
        if ConsolePolicy.canAct(visitor.account, found.ticket) {
            data["actions"] = [
                "departments": Department.allCases.map { ["value": $0.rawValue, "label": words.department($0)] },
                "severities": Severity.allCases.map { ["value": $0.rawValue, "label": words.severity($0)] },
                "written": found.ticket.source == .written,
            ] as [String: Any]
        }
        return page("ticket", visitor, data, status: status)
    }

    /// One action from the ticket page, run through the desk's command rules as the account.
    func ticketAction(ref raw: String, _ form: [String: String], _ visitor: Visitor) async throws -> Response {
        let ref = CommandWords.ticketRef(raw) ?? raw
        let account = visitor.account
        guard let found = try await store.ticket(ref: ref), ConsolePolicy.canSee(account, found.ticket) else {
            return try await ticketPage(ref: ref, visitor, notice: [], status: .notFound)
        }
        let verbName = form["verb"] ?? ""
        guard ConsolePolicy.canAct(account, found.ticket) else {
            logger.info("console action refused: role", metadata: ["ref": "\(ref)", "role": "\(account.role.rawValue)"])
            try await audit(account.name, "refused", subject: ref, "\(verbName): the \(account.role.rawValue) role may not act")
            return refusal(visitor, key: "error.not_allowed")
        }
        let text = (form["text"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let desk = self.desk.current
        let now = clock.now
        let actor = ConsolePolicy.actor(account)
        let replies: [String]
        if verbName == "written_reply" {
            guard !text.isEmpty else {
                return try await ticketPage(ref: ref, visitor, notice: [texts.word("error.text_needed", visitor.locale)], status: .badRequest)
            }
            do {
                _ = try await store.write { tx in try desk.recordWrittenReply(ref: ref, text: text, by: actor.id, tx, now: now) }
                replies = [texts.word("ticket.written_reply_recorded", visitor.locale)]
            } catch let error as DeskError {
                replies = [error.description]
            }
        } else {
            guard let command = Self.command(verbName, ref: ref, text: text, form: form, words: desk.commands) else {
                return try await ticketPage(ref: ref, visitor, notice: [texts.word("error.unknown_action", visitor.locale)],
                                            status: .badRequest)
            }
            replies = try await store.write { tx in try desk.consoleCommand(command, ref: ref, as: actor, tx, now: now) }
        }
        dispatcherBell.ring()
        try await audit(account.name, verbName, subject: ref, "")
        return try await ticketPage(ref: ref, visitor, notice: replies, status: .ok)
    }

    /// The staff command a console form stands for, written with the first command words of `commands.yaml`
    /// for a department or severity, so the desk reads it exactly as a text.
    static func command(_ verb: String, ref: String, text: String, form: [String: String], words: CommandWords) -> StaffCommand? {
        switch verb {
        case "note": return StaffCommand(verb: .note, ref: ref, text: text)
        case "callback": return StaffCommand(verb: .callback, ref: ref, text: text)
        case "escalate": return StaffCommand(verb: .escalate, ref: ref, text: text)
        case "transfer":
            guard let department = form["department"].flatMap(Department.init(rawValue:)),
                  let word = words.departments[department]?.first else { return nil }
            return StaffCommand(verb: .transfer, ref: ref, text: text.isEmpty ? word : "\(word) \(text)")
        case "regrade":
            guard let severity = form["severity"].flatMap(Severity.init(rawValue:)),
                  let word = words.severities[severity]?.first else { return nil }
            return StaffCommand(verb: .regrade, ref: ref, text: text.isEmpty ? word : "\(word) \(text)")
        default: return nil
        }
    }

    func dutyPage(_ visitor: Visitor) async throws -> Response {
        let roster = try await store.roster()
        let now = clock.now
        let words = RecordVocabulary(templates: desk.current.templates, locale: visitor.locale)
        let departments: [[String: Any]] = Department.allCases.map { department in
            let names = roster.onDuty(department, at: now).map(\.name)
            return ["department": words.department(department),
                    "on_duty": names.isEmpty ? texts.word("duty.nobody", visitor.locale) : names.joined(separator: ", "),
                    "head": roster.head(of: department)?.name ?? "-"]
        }
        let log = try await store.dutyLog(from: now.addingTimeInterval(-7 * 86_400), to: now.addingTimeInterval(1)).reversed()
        let entries: [[String: Any]] = log.prefix(200).map { entry in
            ["time": time(entry.at, roster), "who": roster.member(id: entry.staffID)?.name ?? entry.staffID,
             "kind": texts.word("duty.kind.\(entry.kind.rawValue)", visitor.locale), "place": entry.place ?? "",
             "text": entry.text, "abnormal": entry.abnormal]
        }
        return page("duty", visitor, ["title": texts.word("duty.title", visitor.locale), "departments": departments,
                                      "entries": entries, "empty": entries.isEmpty,
                                      "time_zone": texts.word("duty.time_zone", visitor.locale, ["zone": roster.timeZone.identifier])])
    }
}
