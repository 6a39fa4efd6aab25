import ArgumentParser
import FirstaskClassifier
import FirstaskDesk
import Foundation

/// `firstask rules corrections`: the staff corrections of tickets' labels stored in the gateway's database.
struct RulesCorrections: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corrections",
        abstract: "List the staff corrections of tickets' labels: the message, what the rules said and fired, what staff said.",
        discussion: """
            Reads the gateway's SQLite store through its configuration (like `tickets`); a bad config exits 78, a
            missing database 1. Staff correct by text: `改 T0001 紧急` / `regrade T1 emergency`, `类别 T0001 电梯` /
            `category T1 elevator`; transfers are recorded as department corrections.
            """)

    @Option(name: .long, help: "The gateway configuration (its store.sqlite is read). Default: deploy/firstask.yaml.")
    var config: String?

    @Option(name: .long, help: "Only corrections made on or after this day (YYYY-MM-DD, the roster's time zone).")
    var since: String?

    func validate() throws {
        if let since, CorrectionListing.day(since, timeZone: .gmt) == nil {
            throw ValidationError("--since must be a day written YYYY-MM-DD")
        }
    }

    func run() async throws {
        let context = try await RecordsContext.open(configPath: config)
        let start = since.flatMap { CorrectionListing.day($0, timeZone: context.roster.timeZone) }
        let corrections = try await context.store.corrections(since: start)
        try RecordsContext.emit(CorrectionListing.render(corrections, roster: context.roster, since: since), to: nil)
    }
}

/// `firstask rules suggest --output NEW.yaml`: a complete rules file with additions that would fix the
/// corrected messages, and what it would change. Applies nothing.
struct RulesSuggest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suggest",
        abstract: "Propose rules that would fix the staff corrections; writes a complete rules file and applies nothing.",
        discussion: """
            For each corrected category, and each severity corrected to emergency or major, finds words frequent in
            the messages corrected to it and rare in the other stored messages, and writes the current rules plus one
            `suggested.<target>.<n>` rule per word. Prints how many corrected messages the new file reads as staff
            said (and the current one does), and how many other stored messages it would change, counted as
            `firstask rules diff --store` counts them. Exits 0; a bad config 78, a missing database or an
            unreadable rules file 1.
            """)

    @Option(name: .long, help: "The gateway configuration (its store.sqlite is read). Default: deploy/firstask.yaml.")
    var config: String?

    @Option(name: .long, help: "Where to write the new rules file.")
    var output: String

    @Option(name: .long, help: "The current rules file (default: rules.yaml in the configured prompts folder).")
    var rules: String?

    func run() async throws {
        let context = try await RecordsContext.open(configPath: config)
        let rulesPath = rules ?? context.rulesPath
        let yaml: String
        do {
            yaml = try Prompts.readText(rulesPath)
        } catch {
            throw RecordsContext.failure("\(error)")
        }
        let current = try RulesCommand.load(rulesPath, failure: 1)
        let corrections = try await context.store.corrections(since: nil)
        let staffNumbers = Set(context.roster.staff.map(\.address))
        let residents = try await context.sqlite.inboundMessages().filter { !staffNumbers.contains($0.from) }.map(\.text)
        let suggesting: RulesSuggesting
        do {
            suggesting = try RulesSuggesting(rulesYAML: yaml, corrections: corrections, others: residents, model: current.learned)
        } catch let error as ClassifierError {
            throw RecordsContext.failure("the new rules do not parse (a bug): \(error.message)")
        } catch {
            throw RecordsContext.failure("\(rulesPath): \(error)")
        }
        try RecordsContext.emit(suggesting.yaml, to: output)
        let check = RulesFileCheck.check(output)
        let stored = try await RulesDiff.storeMessages(context.sqlite, limit: nil)
        let diff = RulesDiffing(old: Classifier(rules: current), new: Classifier(rules: suggesting.rules), messages: stored)
        print(Self.report(suggesting, diff: diff, check: check, rulesPath: rulesPath, output: output,
                          database: context.sqlitePath, version: current.version, corrections: corrections.count))
        if case .failed = check { throw ExitCode(1) }
    }

    static func report(
        _ suggesting: RulesSuggesting, diff: RulesDiffing, check: RulesFileCheck, rulesPath: String, output: String,
        database: String, version: String, corrections: Int
    ) -> String {
        let total = suggesting.corrected.count
        var lines = ["rules suggest: \(total) corrected message\(total == 1 ? "" : "s") (\(corrections) correction\(corrections == 1 ? "" : "s")); "
            + "current rules \(rulesPath), version \(version)"]
        for outcome in suggesting.targets {
            lines.append("")
            lines.append("\(outcome.target.field) \(outcome.target.name), corrected on \(outcome.refs.joined(separator: ", ")):")
            if let problem = outcome.problem { lines.append("  nothing suggested: \(problem)") }
            for suggestion in outcome.suggestions {
                let term = suggestion.term
                lines.append("  \(suggestion.id)  weight \(RulesSuggesting.number(suggestion.weight))  «\(term.text)»  "
                    + "in \(term.inPositives) of \(term.positives) corrected, \(term.inOthers) of \(term.others) other messages, "
                    + "score \(String(format: "%.1f", term.score))")
            }
        }
        if !suggesting.unaddressed.isEmpty {
            lines.append("")
            lines.append("not addressed:")
            for item in suggesting.unaddressed { lines.append("  \(item.ref): \(item.reason)") }
        }
        lines.append("")
        switch check {
        case let .ok(summary): lines.append("wrote \(summary)")
        case let .failed(problem): lines.append("wrote \(output), which does not check: \(problem)")
        }
        lines.append("\(suggesting.suggestions.count) rule\(suggesting.suggestions.count == 1 ? "" : "s") added; "
            + "fixes \(suggesting.rightAfter) of \(total) corrected messages (the current rules: \(suggesting.rightBefore) of \(total))")
        let correctedTexts = Set(suggesting.corrected.map(\.text))
        let others = diff.changes.filter { !correctedTexts.contains($0.text) }.count
        lines.append("would change \(others) other stored message\(others == 1 ? "" : "s") "
            + "(rules diff --store: \(diff.changes.count) of \(diff.compared) changed, \(diff.changes.count - others) of them corrected messages)")
        lines.append("nothing is applied; see the changes with: firstask rules diff --old \(rulesPath) --new \(output) --store \(database)")
        return lines.joined(separator: "\n")
    }
}
