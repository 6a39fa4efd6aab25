import ArgumentParser
import FirstaskDesk
import Foundation

/// `firstask report monthly`: the monthly summary and callback list (README, "Records").
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Monthly summary of complaints and requests, with the callback list.",
        subcommands: [ReportMonthly.self])
}

struct ReportMonthly: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monthly",
        abstract: "The month's summary and callback list (回访名单) as Markdown, CSV or HTML.",
        discussion: """
            Covers the tickets opened in the month, in the roster's time zone, as they stand now. The callback
            list shows residents' numbers in full: it is for calling them back. Keep the output inside the office.
            With --output DIR it writes report-YYYY-MM.md, report-YYYY-MM.csv (the summary tables),
            report-YYYY-MM-callbacks.csv and report-YYYY-MM.html (with bar charts) into DIR.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case markdown, csv, html
    }

    @Option(name: .long, help: "The month, YYYY-MM.")
    var month: String

    @Option(name: .long, help: "The gateway configuration. Default: deploy/firstask.yaml.")
    var config: String?

    @Option(name: .long, help: "Format written to standard output: markdown, csv (summary, then the callback list) or html.")
    var format: Format = .markdown

    @Option(name: .long, help: "Write every format into this folder instead of printing one.")
    var output: String?

    @Option(name: .long, help: "Share (0–1) of the other closed tickets drawn for a routine callback.")
    var callbackSample: Double = 0.1

    @Option(name: .long, help: "Seed of the callback sample (default: the month, e.g. 202611); same seed, same sample.")
    var seed: UInt64?

    @OptionGroup var locale: RecordLocaleOption

    func validate() throws {
        guard ReportMonth(month, timeZone: .gmt) != nil else { throw ValidationError("--month must be YYYY-MM, e.g. 2026-11") }
        guard (0...1).contains(callbackSample) else { throw ValidationError("--callback-sample must be between 0 and 1") }
    }

    func run() async throws {
        let context = try await RecordsContext.open(configPath: config)
        guard let period = ReportMonth(month, timeZone: context.roster.timeZone) else { throw ExitCode.validationFailure }
        var entries: [MonthlyReport.Entry] = []
        for ticket in try await context.store.tickets(.all) where period.contains(ticket.createdAt) {
            let events = try await context.store.ticket(ref: ticket.ref)?.events ?? []
            entries.append(MonthlyReport.Entry(ticket: ticket, events: events))
        }
        let report = MonthlyReport.build(
            month: period, entries: entries, roster: context.roster,
            dutyLog: try await context.store.dutyLog(from: period.start, to: period.end), asOf: Date(),
            callbackSample: callbackSample, seed: seed ?? MonthlyReport.defaultSeed(period))
        let rendering = MonthlyReportRendering(vocabulary: RecordVocabulary(templates: context.templates, locale: locale.value))

        guard let output else {
            switch format {
            case .markdown: try RecordsContext.emit(rendering.markdown(report), to: nil)
            case .csv:
                let callbacks = RecordFormat.csvRow(["# callbacks", rendering.callbackTable(report).title]) + rendering.callbacksCSV(report)
                try RecordsContext.emit(rendering.summaryCSV(report) + callbacks, to: nil)
            case .html: try RecordsContext.emit(rendering.html(report), to: nil)
            }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        } catch {
            throw RecordsContext.failure("\(output): cannot create the folder (\(error.localizedDescription))")
        }
        let base = URL(fileURLWithPath: output).appendingPathComponent("report-\(period)").path
        let files = [
            // The CSV files start with a byte-order mark: without it Excel reads UTF-8 Chinese as GBK mojibake.
            (base + ".md", rendering.markdown(report)), (base + ".csv", "\u{FEFF}" + rendering.summaryCSV(report)),
            (base + "-callbacks.csv", "\u{FEFF}" + rendering.callbacksCSV(report)), (base + ".html", rendering.html(report)),
        ]
        for (path, text) in files {
            try RecordsContext.emit(text, to: path)
            print(path)
        }
    }
}
