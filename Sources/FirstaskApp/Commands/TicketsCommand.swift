import ArgumentParser
import FirstaskDesk
import Foundation

/// `firstask tickets show|list`: the written record of tickets, read from the gateway's store.
struct TicketsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tickets",
        abstract: "Show the record of one ticket (五清楚: matter, process, result, opinion) or list tickets.",
        subcommands: [TicketsShow.self, TicketsList.self])
}

/// `firstask tickets show REF`: one ticket's record as text or printable HTML.
struct TicketsShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "The record of one ticket: matter, process (timeline), result, the resident's opinion, deadlines.",
        discussion: """
            The resident's number is masked (+86138****5678) unless --show-contact is given, e.g. for a callback.
            An unknown ref prints an error and exits 1.
            """)

    @Argument(help: "The ticket ref, e.g. T0042.")
    var ref: String

    @Option(name: .long, help: "The gateway configuration (its store.sqlite and prompts are read). Default: deploy/firstask.yaml.")
    var config: String?

    @Flag(name: .long, help: "Write a self-contained printable HTML page instead of text.")
    var html = false

    @Option(name: .long, help: "Write to this file instead of standard output.")
    var output: String?

    @Flag(name: .long, help: "Show the resident's phone number in full.")
    var showContact = false

    @OptionGroup var locale: RecordLocaleOption

    func run() async throws {
        let context = try await RecordsContext.open(configPath: config)
        let wanted = ref.trimmingCharacters(in: .whitespaces).uppercased()
        guard let found = try await context.store.ticket(ref: wanted) else {
            throw RecordsContext.failure("no ticket \(wanted) in \(context.sqlitePath) (firstask tickets list shows the refs)")
        }
        var record = TicketRecord.build(ticket: found.ticket, events: found.events, roster: context.roster, asOf: Date())
        record.attachments = try await context.sqlite.attachments(ticketRef: found.ticket.ref)
        let folder = context.media
        let rendering = TicketRecordRendering(vocabulary: RecordVocabulary(templates: context.templates, locale: locale.value),
                                              showContact: showContact, mediaBytes: { folder.read($0) })
        try RecordsContext.emit(html ? rendering.html(record) : rendering.text(record), to: output)
    }
}

/// `firstask tickets list`: one line per ticket, oldest first.
struct TicketsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "One line per ticket: ref, status, opened, severity, category, place, first responder, words.")

    @Option(name: .long, help: "open, closed or all.")
    var status: String = TicketFilter.all.rawValue

    @Option(name: .long, help: "The gateway configuration. Default: deploy/firstask.yaml.")
    var config: String?

    @OptionGroup var locale: RecordLocaleOption

    func validate() throws {
        guard TicketFilter(rawValue: status) != nil else { throw ValidationError("--status must be open, closed or all") }
    }

    func run() async throws {
        let context = try await RecordsContext.open(configPath: config)
        let tickets = try await context.store.tickets(TicketFilter(rawValue: status) ?? .all)
        let words = RecordVocabulary(templates: context.templates, locale: locale.value)
        try RecordsContext.emit(TicketListing.lines(tickets, roster: context.roster, vocabulary: words), to: nil)
    }
}

/// The lines of `firstask tickets list`. No resident contact: a listing is for finding a ref.
enum TicketListing {
    static func lines(_ tickets: [Ticket], roster: Roster, vocabulary words: RecordVocabulary) -> String {
        tickets.map { ticket in
            let words1 = ticket.text.split(whereSeparator: \.isNewline).joined(separator: " ")
            let excerpt = words1.count > 40 ? String(words1.prefix(39)) + "…" : words1
            let responder = roster.member(id: ticket.firstResponder)?.name ?? ticket.firstResponder
            return [ticket.ref, ticket.status.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0),
                    RecordFormat.time(ticket.createdAt, roster.timeZone),
                    words.severity(ticket.severity), words.category(ticket.category), RecordFormat.place(ticket.location),
                    responder, excerpt].joined(separator: "  ") + "\n"
        }.joined()
    }
}
