import FirstaskClassifier
import FirstaskDesk
import Foundation

/// Renders a `MonthlyReport` as Markdown, CSV or a self-contained HTML page with inline SVG charts.
public struct MonthlyReportRendering: Sendable {
    public var vocabulary: RecordVocabulary

    public init(vocabulary: RecordVocabulary) { self.vocabulary = vocabulary }

    // MARK: - Tables

    /// The report as tables. With `machine`, durations are minutes and rates fractions (for CSV); otherwise
    /// they read like `3h 05m` and `87.5%`.
    public func tables(_ report: MonthlyReport, machine: Bool = false) -> [ReportTable] {
        let words = vocabulary
        let tz = report.month.timeZone
        func duration(_ seconds: TimeInterval?) -> String {
            guard let seconds else { return "-" }
            return machine ? String(format: "%.1f", seconds / 60) : RecordFormat.duration(seconds)
        }
        func share(_ part: Int, _ whole: Int) -> String {
            guard whole > 0 else { return "-" }
            return machine ? String(format: "%.4f", Double(part) / Double(whole)) : RecordVocabulary.percent(part, of: whole)
        }
        func rating(_ value: Double?) -> String { value.map { String(format: "%.2f", $0) } ?? "-" }
        func minutesSuffix(_ title: String) -> String { machine ? title + " (min)" : title }
        func countTable<T>(_ id: String, _ title: String, _ counts: [(T, Int)], _ name: (T) -> String) -> ReportTable {
            ReportTable(id: id, title: words[title], columns: ["", words["report.count"], words["report.share"]],
                        rows: counts.map { [name($0.0), String($0.1), share($0.1, report.tickets)] }, numeric: [1, 2])
        }

        var tables: [ReportTable] = []
        tables.append(ReportTable(
            id: "overview", title: words["report.overview"],
            columns: [words["report.tickets"], words["report.open"], words["report.closed"], words["report.reopen_rate"],
                      words["report.mean_rating"], words["report.rated"]],
            rows: [[String(report.tickets), String(report.open), String(report.closed), share(report.reopened, report.tickets),
                    rating(report.satisfaction.mean), String(report.satisfaction.rated)]],
            numeric: Set(0..<6), note: words["report.scope"]))
        tables.append(countTable("by_source", "report.by_source", report.bySource, words.labels.source))
        tables.append(countTable("by_intent", "report.by_intent", report.byIntent, words.labels.intent))
        tables.append(countTable("by_category", "report.by_category", report.byCategory, words.category))
        tables.append(countTable("by_department", "report.by_department", report.byDepartment, words.department))
        tables.append(countTable("by_severity", "report.by_severity", report.bySeverity, words.severity))
        tables.append(ReportTable(
            id: "times", title: words["report.times"],
            columns: [words["report.measure"], minutesSuffix(words["report.median"]), minutesSuffix(words["report.p90"]),
                      words["report.measured"]],
            rows: [
                [words["report.first_response"], duration(report.firstResponse.median), duration(report.firstResponse.p90),
                 String(report.firstResponse.count)],
                [words["report.resolution"], duration(report.resolution.median), duration(report.resolution.p90),
                 String(report.resolution.count)],
            ], numeric: [1, 2, 3]))
        tables.append(ReportTable(
            id: "deadlines", title: words["report.deadlines"],
            columns: [words["report.measure"], words["report.met"], words["report.decided"], words["report.rate"]],
            rows: [
                [words["report.first_response"], String(report.firstResponseDeadline.met), String(report.firstResponseDeadline.decided),
                 share(report.firstResponseDeadline.met, report.firstResponseDeadline.decided)],
                [words["report.resolution"], String(report.resolutionDeadline.met), String(report.resolutionDeadline.decided),
                 share(report.resolutionDeadline.met, report.resolutionDeadline.decided)],
            ], numeric: [1, 2, 3]))
        tables.append(ReportTable(
            id: "satisfaction", title: words["report.satisfaction"],
            columns: [words["report.rating"], words["report.count"], words["report.share"]],
            rows: (1...5).reversed().map { [String($0), String(report.satisfaction.distribution[$0 - 1]),
                                            share(report.satisfaction.distribution[$0 - 1], report.satisfaction.rated)] },
            numeric: [0, 1, 2],
            note: "\(words["report.mean_rating"]): \(rating(report.satisfaction.mean)) · \(words["report.rated"]): \(report.satisfaction.rated)"))
        tables.append(ReportTable(
            id: "first_responders", title: words["report.responders"],
            columns: [words["report.staff"], words["report.tickets"], minutesSuffix(words["report.first_response"] + " " + words["report.median"]),
                      minutesSuffix(words["report.resolution"] + " " + words["report.median"]), words["report.mean_rating"],
                      words["report.rated"], words["report.reopened"], words["report.overdue"]],
            rows: report.responders.map { row in
                [words.actor(row.staffID, name: row.name), String(row.tickets), duration(row.medianFirstResponse),
                 duration(row.medianResolution), rating(row.meanSatisfaction), String(row.rated), String(row.reopened), String(row.overdue)]
            }, numeric: Set(1..<8)))
        tables.append(ReportTable(
            id: "conduct", title: words["report.conduct"],
            columns: [words["report.ticket"], words["record.received_at"], words["report.about"], words["record.department"],
                      words["record.severity"], words["report.status"], words["report.words"]],
            rows: report.conduct.map { row in
                [row.ref, RecordFormat.time(row.createdAt, tz), row.subjectID.map { words.actor($0, name: row.subjectName) } ?? "-",
                 words.department(row.department), words.severity(row.severity), words.labels.status(row.status), row.text]
            }, numeric: []))
        tables.append(ReportTable(
            id: "repeated_places", title: words["report.repeated_places"],
            columns: [words["report.place"], words["report.category"], words["report.tickets"], words["report.repeat_reports"],
                      words["report.refs"]],
            rows: report.repeatedPlaces.map { [$0.place, words.category($0.category), String($0.refs.count), String($0.repeatReports),
                                               $0.refs.joined(separator: " ")] },
            numeric: [2, 3]))
        let patrol = report.patrol
        tables.append(ReportTable(
            id: "duty", title: words["report.patrols"],
            columns: [words["report.patrol_count"], words["report.patrol_abnormal"], words["report.places_patrolled"],
                      words["report.check_ins"], words["report.handovers"], words["report.missed_check_ins"], words["report.nobody_on_duty"]],
            rows: [[patrol.patrols, patrol.abnormal, patrol.places, patrol.checkIns, patrol.handovers, patrol.missedCheckIns,
                    patrol.nobodyOnDuty].map(String.init)],
            numeric: Set(0..<7)))
        tables.append(ReportTable(
            id: "duty_findings", title: words["report.abnormal_list"],
            columns: [words["record.time"], words["record.who"], words["record.what"], words["report.place"], words["report.finding"],
                      words["report.ticket"]],
            rows: patrol.findings.map { entry in
                let kind = switch entry.kind {
                case .patrol: words["report.patrol_abnormal"]
                case .missedCheckIn: words["report.missed_check_ins"]
                default: words["report.nobody_on_duty"]
                }
                return [RecordFormat.time(entry.at, tz), entry.staffID == "-" ? "-" : words.actor(entry.staffID, name: report.staffNames[entry.staffID]),
                        kind, entry.place ?? "-", entry.text, entry.ticketRef ?? "-"]
            }, numeric: []))
        tables.append(callbackTable(report))
        return tables
    }

    /// The callback list (回访名单), with the residents' contacts in full.
    public func callbackTable(_ report: MonthlyReport) -> ReportTable {
        let words = vocabulary
        var note = words["report.callbacks_note"]
        if report.callbackSample > 0 {
            let percent = String(format: "%g%%", report.callbackSample * 100)
            note += " " + words["report.sample_note"].replacingOccurrences(of: "{percent}", with: percent)
                .replacingOccurrences(of: "{seed}", with: String(report.seed))
        }
        return ReportTable(
            id: "callbacks", title: words["report.callbacks"],
            columns: [words["report.ticket"], words["report.contact"], words["record.channel"], words["report.category"],
                      words["record.severity"], words["report.place"], words["report.staff"], words["report.rating"],
                      words["report.why"], words["report.result"]],
            rows: report.callbacks.map { item in
                [item.ref, item.contact.isEmpty ? "-" : item.contact, item.channel.isEmpty ? "-" : item.channel,
                 words.category(item.category), words.severity(item.severity), item.place,
                 words.actor(item.firstResponder, name: item.firstResponderName), item.satisfaction.map(String.init) ?? "-",
                 item.reasons.map(words.labels.reason).joined(separator: ", "), item.lastCallback ?? ""]
            }, numeric: [7], note: note)
    }

    func heading(_ report: MonthlyReport) -> (title: String, period: String) {
        let words = vocabulary
        let tz = report.month.timeZone
        let period = "\(words["report.period"]): \(RecordFormat.time(report.month.start, tz)) – \(RecordFormat.time(report.month.end, tz)) "
            + "(\(words["report.time_zone"]) \(tz.identifier)) · \(words["report.generated"]): \(RecordFormat.time(report.asOf, tz))"
        return ("\(words["report.title"]) \(report.month)", period)
    }

    // MARK: - Markdown

    public func markdown(_ report: MonthlyReport) -> String {
        let (title, period) = heading(report)
        var out = "# \(title)\n\n\(period)\n"
        for table in tables(report) {
            out += "\n## \(table.title)\n\n"
            if let note = table.note { out += "\(note)\n\n" }
            guard !table.rows.isEmpty else {
                out += vocabulary["report.none"] + "\n"
                continue
            }
            out += "| " + table.columns.map(RecordFormat.markdownCell).joined(separator: " | ") + " |\n"
            out += "|" + table.columns.indices.map { table.numeric.contains($0) ? "---:|" : "---|" }.joined() + "\n"
            for row in table.rows {
                out += "| " + row.map(RecordFormat.markdownCell).joined(separator: " | ") + " |\n"
            }
        }
        return out
    }

    // MARK: - CSV

    /// Every table of the summary, one after another: a `# title` line, the header, the rows, a blank line.
    public func summaryCSV(_ report: MonthlyReport) -> String {
        var out = ""
        for table in tables(report, machine: true) where table.id != "callbacks" {
            out += RecordFormat.csvRow(["# " + table.id, table.title])
            out += RecordFormat.csvRow(table.columns.enumerated().map { $0.offset == 0 && $0.element.isEmpty ? "item" : $0.element })
            for row in table.rows { out += RecordFormat.csvRow(row) }
            out += "\r\n"
        }
        return out
    }

    /// The callback list alone, one ticket a row under a header: ready for a spreadsheet or a phone script.
    public func callbacksCSV(_ report: MonthlyReport) -> String {
        let table = callbackTable(report)
        return RecordFormat.csvRow(table.columns) + table.rows.map(RecordFormat.csvRow).joined()
    }

    // MARK: - HTML

    /// A self-contained page: the tables, plus inline SVG bar charts by category, department and severity and
    /// of the satisfaction ratings. No scripts, no external resources.
    public func html(_ report: MonthlyReport) -> String {
        let words = vocabulary
        let e = RecordFormat.html
        let (title, period) = heading(report)
        var body = "<header><h1>\(e(title))</h1>\n<p class=\"meta\">\(e(period))</p></header>\n"
        let charts = [
            BarChart(title: words["report.by_category"], bars: report.byCategory.map { (words.category($0.0), $0.1) }, color: "#3b6ea5"),
            BarChart(title: words["report.by_department"], bars: report.byDepartment.map { (words.department($0.0), $0.1) }, color: "#4a8c5c"),
            BarChart(title: words["report.by_severity"], bars: report.bySeverity.map { (words.severity($0.0), $0.1) }, color: "#b5533c"),
            BarChart(title: words["report.satisfaction"], bars: (1...5).reversed().map { ("\($0) ★", report.satisfaction.distribution[$0 - 1]) },
                     color: "#c9962b"),
        ]
        body += "<section><div class=\"charts\">\n" + charts.map { "<figure class=\"chart\">\($0.svg())</figure>\n" }.joined()
            + "</div></section>\n"
        for table in tables(report) {
            body += "<section id=\"\(e(table.id))\"><h2>\(e(table.title))</h2>\n"
            if let note = table.note { body += "<p class=\"note\">\(e(note))</p>\n" }
            guard !table.rows.isEmpty else {
                body += "<p>\(e(words["report.none"]))</p></section>\n"
                continue
            }
            body += "<table><thead><tr>" + table.columns.enumerated().map { index, column in
                "<th\(table.numeric.contains(index) ? " class=\"num\"" : "")>\(e(column))</th>"
            }.joined() + "</tr></thead>\n<tbody>\n"
            for row in table.rows {
                body += "<tr>" + row.enumerated().map { index, cell in
                    "<td\(table.numeric.contains(index) ? " class=\"num\"" : "")>\(e(cell).replacingOccurrences(of: "\n", with: "<br>"))</td>"
                }.joined() + "</tr>\n"
            }
            body += "</tbody></table></section>\n"
        }
        return HTMLPage.document(title: title, locale: words.locale, body: body)
    }
}
