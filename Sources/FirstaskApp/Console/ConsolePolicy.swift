import FirstaskClassifier
import FirstaskDesk
import Foundation

/// Who may see and do what in the console (README, "Console"). Pure.
enum ConsolePolicy {
    /// Viewers and admins see every ticket; a head sees the tickets of their department (or that passed through it).
    static func canSee(_ account: ConsoleAccount, _ ticket: Ticket) -> Bool {
        switch account.role {
        case .admin, .viewer: true
        case .head: account.department.map { ticket.department == $0 || ticket.departments.contains($0) } ?? false
        }
    }

    /// Admins work any ticket, heads their department's; viewers never act. The desk then applies the same
    /// rules as for a text (nobody acts on a conduct complaint about themselves).
    static func canAct(_ account: ConsoleAccount, _ ticket: Ticket) -> Bool {
        account.role != .viewer && canSee(account, ticket)
    }

    /// Rules changes (enable, roll back) and accounts are for admins.
    static func canAdminister(_ account: ConsoleAccount) -> Bool { account.role == .admin }

    /// The account in the form the desk's command rules know: an admin as leadership, a head as the head of
    /// their department. Its address is empty: the desk's answers to it come back to the page, never by text.
    static func actor(_ account: ConsoleAccount) -> Staff {
        switch account.role {
        case .admin:
            Staff(id: account.actor, name: account.name, address: "", department: .management, role: .leader, locale: account.locale)
        case .head:
            Staff(id: account.actor, name: account.name, address: "", department: account.department ?? .service, role: .head,
                  locale: account.locale)
        case .viewer:
            Staff(id: account.actor, name: account.name, address: "", department: account.department ?? .service, role: .staff,
                  locale: account.locale)
        }
    }
}

/// The ticket list's filters and page, read from the query string. Pure.
struct TicketQuery: Equatable {
    static let pageSize = 50

    var status: TicketFilter = .open
    var category: Category?
    var severity: Severity?
    var department: Department?
    var overdue = false
    var text = ""
    var page = 1

    init() {}

    /// Reads `status`, `category`, `severity`, `department`, `overdue`, `q` and `page`; an unknown value is ignored
    /// (the filter is then off), so a stale bookmark still shows a list.
    init(_ get: (String) -> String?) {
        status = get("status").flatMap(TicketFilter.init(rawValue:)) ?? .open
        category = get("category").flatMap(Category.init(rawValue:))
        severity = get("severity").flatMap(Severity.init(rawValue:))
        department = get("department").flatMap(Department.init(rawValue:))
        overdue = get("overdue") == "1"
        text = (get("q") ?? "").trimmingCharacters(in: .whitespaces)
        page = max(1, get("page").flatMap { Int($0) } ?? 1)
    }

    func matches(_ ticket: Ticket, now: Date) -> Bool {
        if !status.includes(ticket.status) { return false }
        if let category, ticket.category != category { return false }
        if let severity, ticket.severity != severity { return false }
        if let department, ticket.department != department { return false }
        if overdue, !Self.isOverdue(ticket, now: now) { return false }
        if !text.isEmpty {
            let needle = text.lowercased()
            let haystack = [ticket.ref, ticket.text, ticket.location?.display ?? "", ticket.register ?? ""].joined(separator: " ")
            if !haystack.lowercased().contains(needle) { return false }
        }
        return true
    }

    /// Open and past its first-response or resolution deadline.
    static func isOverdue(_ ticket: Ticket, now: Date) -> Bool {
        guard ticket.status.isOpen else { return false }
        if ticket.firstResponseAt == nil, let due = ticket.firstResponseDueAt, due < now { return true }
        if ticket.resolvedAt == nil, let due = ticket.resolutionDueAt, due < now { return true }
        return false
    }

    /// The query string for this query on another page (filters kept), e.g. `status=open&q=leak&page=2`.
    func queryString(page: Int) -> String {
        var items: [(String, String)] = [("status", status.rawValue)]
        if let category { items.append(("category", category.rawValue)) }
        if let severity { items.append(("severity", severity.rawValue)) }
        if let department { items.append(("department", department.rawValue)) }
        if overdue { items.append(("overdue", "1")) }
        if !text.isEmpty { items.append(("q", text)) }
        items.append(("page", String(page)))
        return items.map { "\($0.0)=\(FormBody.escape($0.1))" }.joined(separator: "&")
    }
}

/// A message cut into pieces, those a fired rule matched marked with the rules' ids, for `<mark>`. Pure.
enum Highlight {
    struct Piece: Equatable {
        var text: String
        var rules: [String]
    }

    /// Spans count Unicode scalars from 0, the end excluded (as `rules test` prints them); overlapping spans
    /// mark the union of their characters.
    static func pieces(_ text: String, spans: [MatchedSpan]) -> [Piece] {
        let scalars = Array(text.unicodeScalars)
        var marks = [[String]](repeating: [], count: scalars.count)
        for span in spans where span.start >= 0 && span.end <= scalars.count && span.start < span.end {
            for index in span.start..<span.end where !marks[index].contains(span.rule) { marks[index].append(span.rule) }
        }
        var pieces: [Piece] = []
        for (index, scalar) in scalars.enumerated() {
            if let last = pieces.last, last.rules == marks[index] {
                pieces[pieces.count - 1].text.unicodeScalars.append(scalar)
            } else {
                var piece = Piece(text: "", rules: marks[index])
                piece.text.unicodeScalars.append(scalar)
                pieces.append(piece)
            }
        }
        return pieces
    }
}

/// `application/x-www-form-urlencoded` bodies and query values. Pure.
enum FormBody {
    static func parse(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = decode(parts[0])
            guard !key.isEmpty, fields[key] == nil else { continue }
            fields[key] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }

    static func decode(_ text: Substring) -> String {
        String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
    }

    static func escape(_ text: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
