import FirstaskClassifier
import FirstaskDesk
import Foundation
import Hummingbird

/// The rules playground: a message read by the rules in force, a draft checked and replayed over the stored
/// messages, put in force, and earlier versions put back.
extension Console {
    func rulesPage(_ visitor: Visitor, message: String?, draft: String?, outcome: [String: Any] = [:],
                   status: HTTPResponse.Status = .ok) async throws -> Response
    {
        let locale = visitor.locale
        let classifier = desk.current.classifier
        let words = RecordVocabulary(templates: desk.current.templates, locale: locale)
        var data: [String: Any] = ["title": texts.word("rules.title", locale), "version": classifier.rules.version]
        data.merge(outcome) { $1 }
        if let message, !message.isEmpty {
            // The same reading as `firstask rules test`: the classifier in force, its fired rules and spans.
            let result = classifier.classify(message)
            let pieces: [[String: Any]] = Highlight.pieces(message, spans: result.spans).map {
                ["text": $0.text, "marked": !$0.rules.isEmpty, "rules": $0.rules.joined(separator: " ")]
            }
            data["message"] = message
            data["result"] = [
                "intent": words.labels.intent(result.intent), "category": words.category(result.category),
                "department": words.department(result.department), "severity": words.severity(result.severity),
                "location": RecordFormat.place(result.location), "confidence": String(format: "%.2f", result.confidence),
                "rules": result.rules.map { rule in
                    ["id": rule, "words": result.spans.filter { $0.rule == rule }.map(\.text).joined(separator: ", ")]
                },
                "no_rules": result.rules.isEmpty, "pieces": pieces,
            ] as [String: Any]
        }
        if ConsolePolicy.canAdminister(visitor.account) {
            data["draft"] = try draft ?? ConfigFile.text(at: rulesPath)
            let zone = try await store.roster().timeZone
            data["history"] = try await accounts.rulesVersions(limit: 20).map { entry in
                ["id": String(entry.id ?? 0), "at": RecordFormat.time(entry.at, zone),
                 "account": entry.account, "version": entry.version, "current": entry.version == classifier.rules.version]
            }
        }
        return page("rules", visitor, data, status: status)
    }

    func rulesAction(_ form: [String: String], _ visitor: Visitor) async throws -> Response {
        let locale = visitor.locale
        guard ConsolePolicy.canAdminister(visitor.account) else {
            try await audit(visitor.account.name, "refused", subject: "rules", "the \(visitor.account.role.rawValue) role may not change rules")
            return refusal(visitor, key: "error.not_allowed")
        }
        let draft = (form["draft"] ?? "").replacingOccurrences(of: "\r\n", with: "\n")
        switch form["do"] {
        case "check":
            switch Self.parse(draft) {
            case let .failure(problem):
                return try await rulesPage(visitor, message: nil, draft: draft, outcome: ["check_error": problem.description],
                                           status: .unprocessableContent)
            case let .success(rules):
                return try await rulesPage(visitor, message: nil, draft: draft, outcome: try await replay(rules, locale))
            }
        case "enable":
            return try await enable(draft, visitor, note: "enabled")
        case "rollback":
            guard let id = form["version"].flatMap({ Int64($0) }), let entry = try await accounts.rulesVersion(id: id) else {
                return try await rulesPage(visitor, message: nil, draft: nil,
                                           outcome: ["check_error": texts.word("rules.no_version", locale)], status: .notFound)
            }
            return try await enable(entry.yaml, visitor, note: "rolled back to \(entry.version)")
        default:
            return try await rulesPage(visitor, message: nil, draft: draft,
                                       outcome: ["check_error": texts.word("error.unknown_action", locale)], status: .badRequest)
        }
    }

    /// The draft parsed, or the problem as `rules check` words it (`draft:LINE:COLUMN: message`).
    static func parse(_ yaml: String) -> Result<RuleSet, ProblemText> {
        do {
            return .success(try RuleSet.parse(yaml: yaml))
        } catch let error as ClassifierError {
            return .failure(ProblemText(RulesCommand.describe(error, file: "draft")))
        } catch {
            return .failure(ProblemText("draft: \(error)"))
        }
    }

    struct ProblemText: Error, CustomStringConvertible {
        var description: String
        init(_ text: String) { description = text }
    }

    /// What `rules diff --store` reports for the draft against the rules in force, over the stored messages.
    func replay(_ rules: RuleSet, _ locale: ReplyLocale) async throws -> [String: Any] {
        let messages = try await storedMessages(Self.replayLimit)
        // The draft is read with the learned model in force, as the gateway would read it once enabled.
        let inForce = desk.current.classifier
        let draft = inForce.rules.learned.map { rules.attaching($0) } ?? rules
        let diff = RulesDiffing(old: inForce, new: Classifier(rules: draft), messages: messages)
        return [
            "check_ok": texts.word("rules.check_ok", locale, ["version": rules.version, "rules": String(rules.ruleCount)]),
            "replay": [
                "summary": texts.word("rules.replay_summary", locale, [
                    "compared": String(diff.compared), "changed": String(diff.changes.count),
                ]),
                "fields": diff.countsPerField.map { ["field": $0.field.rawValue, "count": String($0.count)] },
                "changes": diff.changes.prefix(100).map { change in
                    ["id": change.id, "text": change.text,
                     "fields": change.fields.map { "\($0.field.rawValue): \($0.old) → \($0.new)" }.joined(separator: "; ")]
                },
            ] as [String: Any],
        ]
    }

    /// Writes `yaml` as the rules file and reloads; a draft that does not load puts the previous file back and
    /// keeps the rules in force. The version put in force is kept for rollback (the first time, the file
    /// that was in force too).
    func enable(_ yaml: String, _ visitor: Visitor, note: String) async throws -> Response {
        let locale = visitor.locale
        if case let .failure(problem) = Self.parse(yaml) {
            return try await rulesPage(visitor, message: nil, draft: yaml, outcome: ["check_error": problem.description],
                                       status: .unprocessableContent)
        }
        let previous = try ConfigFile.text(at: rulesPath)
        let previousVersion = reloader.rulesVersion
        let version: String
        do {
            try Data(yaml.utf8).write(to: URL(fileURLWithPath: rulesPath), options: .atomic)
            version = try reloader.reload()
        } catch {
            try? Data(previous.utf8).write(to: URL(fileURLWithPath: rulesPath), options: .atomic)
            logger.error("console: rules not enabled; the previous rules keep serving", metadata: ["error": "\(error)"])
            return try await rulesPage(visitor, message: nil, draft: yaml, outcome: ["check_error": "\(error)"],
                                       status: .unprocessableContent)
        }
        let now = clock.now
        if try await accounts.rulesVersions(limit: 1).isEmpty {
            try await accounts.appendRulesVersion(RulesVersionEntry(at: now, account: "-", version: previousVersion, yaml: previous))
        }
        try await accounts.appendRulesVersion(RulesVersionEntry(at: now, account: visitor.account.name, version: version, yaml: yaml))
        try await audit(visitor.account.name, "rules_enabled", subject: version, "\(note) (was \(previousVersion))")
        return try await rulesPage(visitor, message: nil, draft: nil,
                                   outcome: ["enabled": texts.word("rules.enabled", locale, ["version": version])])
    }
}
