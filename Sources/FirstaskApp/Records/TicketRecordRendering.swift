import FirstaskClassifier
import FirstaskDesk
import Foundation

/// How a ticket record is shown: plain text for the terminal, or a printable HTML page.
public struct TicketRecordRendering: Sendable {
    public var vocabulary: RecordVocabulary
    /// Show the resident's address in full (callbacks need it) instead of masked.
    public var showContact: Bool
    /// The bytes of a stored attachment by address, for the HTML page's thumbnails (embedded, so the page
    /// stays self-contained); `nil` shows none.
    public var mediaBytes: (@Sendable (String) -> Data?)?

    public init(vocabulary: RecordVocabulary, showContact: Bool = false, mediaBytes: (@Sendable (String) -> Data?)? = nil) {
        self.vocabulary = vocabulary
        self.showContact = showContact
        self.mediaBytes = mediaBytes
    }

    /// One attachment as a line: its number, type, size, state and content address.
    func attachmentLine(_ attachment: Attachment, _ record: TicketRecord) -> String {
        let words = vocabulary
        let type = attachment.contentType ?? attachment.reference.contentType ?? "?"
        let when = time(attachment.receivedAt, record)
        switch attachment.state {
        case .stored:
            return "#\(attachment.id) \(when) \(type) \(attachment.size ?? 0) B sha256:\(attachment.sha256 ?? "")"
        case .pending:
            return "#\(attachment.id) \(when) \(type) (\(words["record.attachment_pending"]))"
        case .failed:
            return "#\(attachment.id) \(when) \(type) (\(words["record.attachment_failed"]): \(attachment.lastError ?? ""))"
        }
    }

    /// One labelled value of the record.
    struct Field {
        var label: String
        var value: String
    }

    /// The record's sections in order: matter, result, opinion (the process and deadlines are tables).
    func matter(_ record: TicketRecord) -> [Field] {
        let ticket = record.ticket
        let words = vocabulary
        var fields = [
            Field(label: words["record.words"], value: ticket.text),
            Field(label: words["record.intent"], value: words.labels.intent(ticket.intent)),
            Field(label: words["record.category"], value: words.category(ticket.category)),
            Field(label: words["record.severity"], value: words.severity(ticket.severity)),
            Field(label: words["record.place"], value: RecordFormat.place(ticket.location)),
            Field(label: words["record.resident"], value: contact(ticket)),
            Field(label: words["record.first_responder"], value: words.actor(ticket.firstResponder, name: record.firstResponderName)),
            Field(label: words["record.received_at"], value: time(ticket.createdAt, record)),
            Field(label: words["record.department"], value: words.department(ticket.department)),
            Field(label: words["record.handler"], value: words.actor(ticket.handler, name: record.handlerName)),
        ]
        if ticket.departments.count > 1 {
            fields.append(Field(label: words["record.departments"],
                                value: ticket.departments.map(words.department).joined(separator: " → ")))
        }
        if let register = ticket.register {
            fields.append(Field(label: words["record.register"], value: register))
        }
        if let subject = ticket.conductSubject {
            fields.append(Field(label: words["record.conduct_subject"], value: words.actor(subject, name: record.conductSubjectName)))
        }
        fields.append(Field(label: words["record.counts"],
                            value: "\(ticket.transferCount) / \(ticket.reopenCount) / \(ticket.repeatCount)"))
        if ticket.escalation > 0 {
            fields.append(Field(label: words["record.escalation"], value: String(ticket.escalation)))
        }
        if !ticket.flags.isEmpty {
            fields.append(Field(label: words["record.flags"], value: ticket.flags.sorted().map(words.labels.flag).joined(separator: ", ")))
        }
        return fields
    }

    func result(_ record: TicketRecord) -> [Field] {
        let ticket = record.ticket
        let words = vocabulary
        var fields = [
            Field(label: words["record.status"], value: words.labels.status(ticket.status)),
            Field(label: words["record.first_response_at"], value: ticket.firstResponseAt.map { time($0, record) } ?? words["record.not_yet"]),
            Field(label: words["record.resolved_at"], value: ticket.resolvedAt.map { time($0, record) } ?? words["record.not_yet"]),
        ]
        if let resolution = record.resolution {
            fields.append(Field(label: words["record.resolution"], value: resolution))
        }
        if ticket.source == .written {
            fields.append(Field(label: words["record.written_reply_at"],
                                value: ticket.writtenReplyAt.map { time($0, record) } ?? words["record.not_yet"]))
            if let reply = record.writtenReply {
                fields.append(Field(label: words["record.written_reply"], value: reply))
            }
        }
        fields.append(Field(label: words["record.closed_at"], value: ticket.closedAt.map { time($0, record) } ?? words["record.not_yet"]))
        if let reason = ticket.closeReason {
            fields.append(Field(label: words["record.close_reason"], value: words.labels.closeReason(reason)))
        }
        return fields
    }

    func opinion(_ record: TicketRecord) -> [Field] {
        let ticket = record.ticket
        let words = vocabulary
        var fields = [
            Field(label: words["record.rating"], value: ticket.satisfaction.map(String.init) ?? words["record.none"]),
            Field(label: words["record.opinion_text"], value: ticket.opinion ?? words["record.none"]),
        ]
        let callbacks = record.steps.filter { $0.kind == .callback }
        if !callbacks.isEmpty {
            fields.append(Field(label: words["record.callbacks"], value: callbacks.map {
                "\(time($0.at, record)) \(words.actor($0.actor, name: $0.actorName)): \($0.text)"
            }.joined(separator: "\n")))
        }
        return fields
    }

    func contact(_ ticket: Ticket) -> String {
        guard !ticket.resident.isEmpty else { return vocabulary["record.none"] }
        let channel = ticket.channel.isEmpty ? "" : " (\(ticket.channel))"
        if showContact { return ticket.resident + channel }
        return RecordFormat.maskContact(ticket.resident) + channel + " " + vocabulary["record.contact_masked"]
    }

    func time(_ date: Date, _ record: TicketRecord) -> String { RecordFormat.time(date, record.timeZone) }

    /// The ticket's own words that name the resident's address are masked too (a staff note may quote the number).
    func step(_ step: TicketRecord.Step, _ record: TicketRecord) -> (time: String, who: String, what: String, text: String, channel: String) {
        (time(step.at, record), vocabulary.actor(step.actor, name: step.actorName), vocabulary.labels.kind(step.kind),
         maskResident(step.text, record), step.channel ?? "")
    }

    func maskResident(_ text: String, _ record: TicketRecord) -> String {
        let resident = record.ticket.resident
        guard !showContact, resident.count >= 5, text.contains(resident) else { return text }
        return text.replacingOccurrences(of: resident, with: RecordFormat.maskContact(resident))
    }

    func deadlineRow(_ check: DeadlineCheck, _ record: TicketRecord) -> (name: String, due: String, done: String, outcome: String) {
        let words = vocabulary
        return (words.labels.deadline(check.deadline), check.due.map { time($0, record) } ?? "-",
                check.done.map { time($0, record) } ?? words["record.not_yet"], words.labels.outcome(check.outcome))
    }

    // MARK: - Plain text

    /// The record as plain text: labelled lines, the timeline one step a line, continuation lines indented.
    public func text(_ record: TicketRecord) -> String {
        let words = vocabulary
        let ticket = record.ticket
        var out = "\(words["record.title"]) \(ticket.ref)\n"
        out += "\(words["record.status"]): \(words.labels.status(ticket.status)) · \(words["record.source"]): \(words.labels.source(ticket.source))\n"

        func section(_ title: String, _ fields: [Field]) {
            out += "\n== \(title) ==\n"
            let width = fields.map { displayWidth($0.label) }.max() ?? 0
            for field in fields {
                let pad = String(repeating: " ", count: max(0, width - displayWidth(field.label)))
                let indent = String(repeating: " ", count: width + 2)
                out += field.label + pad + "  " + field.value.replacingOccurrences(of: "\n", with: "\n" + indent) + "\n"
            }
        }
        section(words["record.matter"], matter(record))

        out += "\n== \(words["record.process"]) ==\n"
        if record.steps.isEmpty { out += words["record.no_events"] + "\n" }
        for item in record.steps {
            let row = step(item, record)
            let channel = row.channel.isEmpty ? "" : " [\(row.channel)]"
            let text = row.text.isEmpty ? "" : ": " + row.text.replacingOccurrences(of: "\n", with: "\n                    ")
            out += "\(row.time)  \(row.who) · \(row.what)\(channel)\(text)\n"
        }

        if !record.attachments.isEmpty {
            out += "\n== \(words["record.attachments"]) ==\n"
            for attachment in record.attachments { out += attachmentLine(attachment, record) + "\n" }
        }

        section(words["record.result"], result(record))
        section(words["record.opinion"], opinion(record))

        out += "\n== \(words["record.deadlines"]) ==\n"
        let rows = record.deadlines.map { deadlineRow($0, record) }
        let nameWidth = rows.map { displayWidth($0.name) }.max() ?? 0
        for row in rows {
            let pad = String(repeating: " ", count: max(0, nameWidth - displayWidth(row.name)))
            out += "\(row.name)\(pad)  \(words["record.due"]) \(row.due)  \(words["record.done"]) \(row.done)  → \(row.outcome)\n"
        }
        return out
    }

    /// Columns a string takes in a terminal: CJK and full-width characters take two.
    func displayWidth(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { width, scalar in
            let value = scalar.value
            let wide = (0x1100...0x115F).contains(value) || (0x2E80...0xA4CF).contains(value) || (0xAC00...0xD7A3).contains(value)
                || (0xF900...0xFAFF).contains(value) || (0xFE30...0xFE4F).contains(value) || (0xFF00...0xFF60).contains(value)
                || (0xFFE0...0xFFE6).contains(value) || (0x20000...0x3FFFD).contains(value)
            return width + (wide ? 2 : 1)
        }
    }

    // MARK: - HTML

    /// The record as one self-contained printable HTML page (inline CSS, no scripts, every user text escaped).
    public func html(_ record: TicketRecord) -> String {
        let words = vocabulary
        let ticket = record.ticket
        let e = RecordFormat.html
        func table(_ fields: [Field]) -> String {
            "<table class=\"fields\">\n" + fields.map {
                "<tr><th>\(e($0.label))</th><td>\(multiline($0.value))</td></tr>\n"
            }.joined() + "</table>\n"
        }
        var body = "<header><h1>\(e(words["record.title"])) <span class=\"ref\">\(e(ticket.ref))</span></h1>\n"
        body += "<p class=\"meta\">\(e(words["record.status"])): \(e(words.labels.status(ticket.status))) · "
            + "\(e(words["record.source"])): \(e(words.labels.source(ticket.source))) · "
            + "\(e(words["record.printed"])): \(e(time(record.asOf, record))) (\(e(record.timeZone.identifier)))</p></header>\n"
        body += "<section><h2>1. \(e(words["record.matter"]))</h2>\n" + table(matter(record)) + "</section>\n"

        body += "<section><h2>2. \(e(words["record.process"]))</h2>\n"
        if record.steps.isEmpty {
            body += "<p>\(e(words["record.no_events"]))</p>\n"
        } else {
            body += "<table class=\"timeline\"><thead><tr><th>\(e(words["record.time"]))</th><th>\(e(words["record.who"]))</th>"
                + "<th>\(e(words["record.what"]))</th><th>\(e(words["record.text"]))</th><th>\(e(words["record.channel"]))</th></tr></thead>\n<tbody>\n"
            for item in record.steps {
                let row = step(item, record)
                let mark = [.transferred, .escalated, .reminded, .reopened].contains(item.kind) ? " class=\"mark\"" : ""
                body += "<tr\(mark)><td class=\"nowrap\">\(e(row.time))</td><td>\(e(row.who))</td><td>\(e(row.what))</td>"
                    + "<td>\(multiline(row.text))</td><td>\(e(row.channel))</td></tr>\n"
            }
            body += "</tbody></table>\n"
        }
        if !record.attachments.isEmpty {
            body += "<h3>\(e(words["record.attachments"]))</h3>\n<ul class=\"attachments\">\n"
            for attachment in record.attachments {
                var item = "<li>"
                if attachment.state == .stored, attachment.isImage, let address = attachment.sha256, let data = mediaBytes?(address) {
                    let type = e(attachment.contentType ?? "image/jpeg")
                    item += "<img class=\"thumb\" alt=\"#\(attachment.id)\" style=\"max-width:12em;max-height:12em\" "
                        + "src=\"data:\(type);base64,\(data.base64EncodedString())\"><br>"
                }
                body += item + e(attachmentLine(attachment, record)) + "</li>\n"
            }
            body += "</ul>\n"
        }
        body += "</section>\n"
        body += "<section><h2>3. \(e(words["record.result"]))</h2>\n" + table(result(record)) + "</section>\n"
        body += "<section><h2>4. \(e(words["record.opinion"]))</h2>\n" + table(opinion(record)) + "</section>\n"
        body += "<section><h2>5. \(e(words["record.deadlines"]))</h2>\n<table class=\"timeline\"><thead><tr><th></th>"
            + "<th>\(e(words["record.due"]))</th><th>\(e(words["record.done"]))</th><th>\(e(words["record.outcome"]))</th></tr></thead>\n<tbody>\n"
        for check in record.deadlines {
            let row = deadlineRow(check, record)
            body += "<tr><th>\(e(row.name))</th><td>\(e(row.due))</td><td>\(e(row.done))</td>"
                + "<td class=\"\(check.outcome.rawValue)\">\(e(row.outcome))</td></tr>\n"
        }
        body += "</tbody></table></section>\n"
        body += "<p class=\"sign\">\(e(words["record.signature"])): ____________________</p>\n"
        return HTMLPage.document(title: "\(words["record.title"]) \(ticket.ref)", locale: words.locale, body: body)
    }

    func multiline(_ text: String) -> String {
        RecordFormat.html(text).replacingOccurrences(of: "\r\n", with: "<br>").replacingOccurrences(of: "\n", with: "<br>")
    }
}
