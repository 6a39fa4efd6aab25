import FirstaskClassifier
import Foundation

/// A staff member's text, read as a command.
public struct StaffCommand: Sendable, Equatable {
    public enum Verb: String, Sendable, CaseIterable {
        // On a ticket: `<word> T0001 [text]`.
        case accept, reply, done, promise, transfer, escalate, note, callback
        /// Corrections of the classifier's labels: `改 T0001 紧急`, `类别 T0001 电梯`.
        case regrade, category
        // On oneself or the shift: `<word> [text]`.
        case mine, duty, handover, patrol
        case checkIn = "check_in"
        case checkOut = "check_out"
        case help

        /// Whether the command needs a ticket ref.
        public var needsTicket: Bool {
            switch self {
            case .accept, .reply, .done, .promise, .transfer, .escalate, .note, .callback, .regrade, .category: true
            case .mine, .duty, .handover, .patrol, .checkIn, .checkOut, .help: false
            }
        }
    }

    public var verb: Verb
    /// The ticket, for verbs that need one; `nil` when the sender left it out.
    public var ref: String?
    /// Free text after the verb and ref (the reply to relay, a note, a time, a department and reason).
    public var text: String

    public init(verb: Verb, ref: String?, text: String) {
        self.verb = verb
        self.ref = ref
        self.text = text
    }
}

/// The words that make up the text interface, from `prompts/commands.yaml`, so admins can add synonyms:
/// staff command verbs, department names for transfers, severity and category names for corrections, what
/// counts as a normal patrol, and the words residents use to ask for status, confirm or reopen.
public struct CommandWords: Sendable, Equatable {
    public var words: [StaffCommand.Verb: [String]]
    public var departments: [Department: [String]]
    /// Severity names for `regrade T0001 <severity>`.
    public var severities: [Severity: [String]]
    /// Category names for `category T0001 <category>`.
    public var categories: [Category: [String]]
    /// Patrol results that mean "all normal" (`正常`, `ok`); anything else is abnormal and opens a ticket.
    public var patrolNormal: [String]
    public var resident: ResidentWords

    public init(
        _ words: [StaffCommand.Verb: [String]], departments: [Department: [String]] = [:],
        severities: [Severity: [String]] = [:], categories: [Category: [String]] = [:],
        patrolNormal: [String] = ["正常", "ok", "normal"], resident: ResidentWords = ResidentWords()
    ) {
        self.words = words
        self.departments = departments
        self.severities = severities
        self.categories = categories
        self.patrolNormal = patrolNormal
        self.resident = resident
    }

    /// Reads `text` as `VERB [REF] [text]`, `REF VERB [text]`, `VERBREF [text]` or `REF text` (a reply);
    /// `nil` if it is none of these.
    ///
    /// Verbs match case-insensitively; the ref is `T` and digits, in either case. Full-width spaces,
    /// colons and commas between the parts are accepted, because phones insert them.
    public func parse(_ text: String) -> StaffCommand? {
        let (first, afterFirst) = Self.splitWord(text[...])
        guard let first else { return nil }
        let (second, afterSecond) = Self.splitWord(afterFirst)
        if let ref = Self.ticketRef(first) {
            if let second, let verb = verb(for: second), verb.needsTicket {
                return StaffCommand(verb: verb, ref: ref, text: Self.trimmed(afterSecond))
            }
            // A bare ref followed by text is a reply to the resident.
            let rest = Self.trimmed(afterFirst)
            guard !rest.isEmpty else { return nil }
            return StaffCommand(verb: .reply, ref: ref, text: rest)
        }
        if let verb = verb(for: first) {
            guard verb.needsTicket else { return StaffCommand(verb: verb, ref: nil, text: Self.trimmed(afterFirst)) }
            guard let second, let ref = Self.ticketRef(second) else {
                return StaffCommand(verb: verb, ref: nil, text: Self.trimmed(afterFirst))
            }
            return StaffCommand(verb: verb, ref: ref, text: Self.trimmed(afterSecond))
        }
        // The verb and the ref written together: `接单T0001`.
        let lowered = first.lowercased()
        for verb in StaffCommand.Verb.allCases where verb.needsTicket {
            for word in words[verb] ?? [] where lowered.hasPrefix(word.lowercased()) {
                if let ref = Self.ticketRef(String(first.dropFirst(word.count))) {
                    return StaffCommand(verb: verb, ref: ref, text: Self.trimmed(afterFirst))
                }
            }
        }
        return nil
    }

    func verb(for token: String) -> StaffCommand.Verb? {
        let lowered = token.lowercased()
        for verb in StaffCommand.Verb.allCases where (words[verb] ?? []).contains(where: { $0.lowercased() == lowered }) {
            return verb
        }
        return nil
    }

    /// The department named by the first word of `text` (`工程 漏水在楼上` → engineering, "漏水在楼上").
    public func department(in text: String) -> (Department, reason: String)? {
        let (first, rest) = Self.splitWord(text[...])
        guard let first else { return nil }
        let lowered = first.lowercased()
        for department in Department.allCases
        where (departments[department] ?? []).contains(where: { $0.lowercased() == lowered }) || department.rawValue == lowered {
            return (department, Self.trimmed(rest))
        }
        return nil
    }

    /// The severity named by the first word of `text` (`紧急 楼道有烟` → emergency, "楼道有烟"); the label
    /// itself (`emergency`) always counts.
    public func severity(in text: String) -> (Severity, reason: String)? {
        Self.named(in: text, Severity.allCases, words: severities)
    }

    /// The category named by the first word of `text` (`电梯 其实是电梯困人` → elevator); the label itself
    /// (`fire_safety`) always counts.
    public func category(in text: String) -> (Category, reason: String)? {
        Self.named(in: text, Category.allCases, words: categories)
    }

    /// The first of `values` whose raw value or one of whose `words` is the first word of `text`, ignoring
    /// case, and the rest of `text`.
    static func named<Value: RawRepresentable & Hashable>(
        in text: String, _ values: [Value], words: [Value: [String]]
    ) -> (Value, reason: String)? where Value.RawValue == String {
        let (first, rest) = Self.splitWord(text[...])
        guard let lowered = first?.lowercased() else { return nil }
        for value in values
        where value.rawValue == lowered || (words[value] ?? []).contains(where: { $0.lowercased() == lowered }) {
            return (value, Self.trimmed(rest))
        }
        return nil
    }

    /// A patrol report `<place> <result>`: the place, the result, and whether the result is abnormal.
    /// `nil` without a place.
    public func patrol(_ text: String) -> (place: String, result: String, abnormal: Bool)? {
        let (place, rest) = Self.splitWord(text[...])
        guard let place else { return nil }
        let result = Self.trimmed(rest)
        let lowered = result.lowercased()
        let normal = result.isEmpty || patrolNormal.contains { $0.lowercased() == lowered }
        return (place, result, !normal)
    }

    /// `T0042` / `t42` → `T0042`.
    public static func ticketRef(_ token: String) -> String? {
        let scalars = Array(token.unicodeScalars)
        guard scalars.count >= 2, scalars[0] == "T" || scalars[0] == "t" || scalars[0] == "Ｔ" || scalars[0] == "ｔ"
        else { return nil }
        var number = 0
        for scalar in scalars.dropFirst() {
            guard let digit = Self.digitValue(scalar), number < 100_000_000 else { return nil }
            number = number * 10 + digit
        }
        return Ticket.ref(number: number)
    }

    /// Every ticket ref written anywhere in `text` (`我的T0003怎么样了` → `["T0003"]`).
    public static func mentionedRefs(in text: String) -> [String] {
        var refs: [String] = []
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            let previousIsLetter = index > 0 && scalars[index - 1].properties.isAlphabetic && scalars[index - 1].isASCII
            if "TtＴｔ".unicodeScalars.contains(scalar), !previousIsLetter {
                var end = index + 1
                var number = 0
                while end < scalars.count, let digit = digitValue(scalars[end]), end - index <= 9 {
                    number = number * 10 + digit
                    end += 1
                }
                if end - index >= 2 {
                    refs.append(Ticket.ref(number: number))
                }
                index = end
            } else {
                index += 1
            }
        }
        return refs
    }

    static func digitValue(_ scalar: Unicode.Scalar) -> Int? {
        switch scalar.value {
        case 0x30...0x39: Int(scalar.value - 0x30)
        case 0xFF10...0xFF19: Int(scalar.value - 0xFF10)
        default: nil
        }
    }

    static let separators: Set<Character> = [" ", "\u{3000}", "\t", "\n", "\r", ":", "：", ",", "，"]

    /// The first word of `text` and the untouched remainder after the separators that follow it.
    static func splitWord(_ text: Substring) -> (String?, Substring) {
        let start = text.firstIndex { !separators.contains($0) } ?? text.endIndex
        guard start < text.endIndex else { return (nil, text[text.endIndex...]) }
        let end = text[start...].firstIndex { separators.contains($0) } ?? text.endIndex
        let restStart = text[end...].firstIndex { !separators.contains($0) } ?? text.endIndex
        return (String(text[start..<end]), text[restStart...])
    }

    static func trimmed(_ text: Substring) -> String {
        String(text.drop { separators.contains($0) }).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Words residents use that the desk must recognise before classifying: asking for status, saying a done
/// ticket is solved or not. Matching ignores case and looks for the word anywhere in a short message.
public struct ResidentWords: Sendable, Equatable {
    public var status: [String]
    public var solved: [String]
    public var unsolved: [String]
    /// "Any news?" words: a message with one of these is about a ticket already open, not a new problem.
    public var followUp: [String]

    public init(
        status: [String] = ["查询", "进度", "status"], solved: [String] = ["解决了", "修好了", "满意", "solved", "yes"],
        unsolved: [String] = ["没解决", "没修好", "not solved", "not fixed"], followUp: [String] = ["还没", "any update"]
    ) {
        self.status = status
        self.solved = solved
        self.unsolved = unsolved
        self.followUp = followUp
    }

    /// What a resident's answer to "is it solved? rate 1–5" says.
    public enum Confirmation: Equatable, Sendable {
        case solved(rating: Int?)
        case unsolved
        /// Only a rating, 1–5 (a star count or a digit).
        case rating(Int)
    }

    /// Reads a confirmation answer; `nil` if the message is not one. "Not solved" wins over "solved" words
    /// it contains (没解决 contains 解决).
    public func confirmation(_ text: String) -> Confirmation? {
        let lowered = Self.fold(text)
        let rating = Self.rating(lowered)
        if unsolved.contains(where: { lowered.contains(Self.fold($0)) }) { return .unsolved }
        if solved.contains(where: { lowered.contains(Self.fold($0)) }) { return .solved(rating: rating) }
        if let rating, lowered.unicodeScalars.count <= 12 { return .rating(rating) }
        return nil
    }

    /// Whether the message asks for the status of the resident's tickets (short, with a status word).
    public func isStatusQuery(_ text: String) -> Bool {
        let lowered = Self.fold(text)
        return lowered.unicodeScalars.count <= 24 && status.contains { lowered.contains(Self.fold($0)) }
    }

    public func isFollowUp(_ text: String) -> Bool {
        let lowered = Self.fold(text)
        return followUp.contains { lowered.contains(Self.fold($0)) }
    }

    /// A rating 1–5: a lone digit (ASCII or full-width), `N星`, `N分`, or a run of ★/⭐.
    static func rating(_ text: String) -> Int? {
        let stars = text.unicodeScalars.filter { $0 == "★" || $0 == "⭐" }.count
        if (1...5).contains(stars) { return stars }
        let digits = text.unicodeScalars.compactMap { CommandWords.digitValue($0) }
        if digits.count == 1, let digit = digits.first, (1...5).contains(digit) { return digit }
        for (word, value) in [("五星", 5), ("四星", 4), ("三星", 3), ("两星", 2), ("二星", 2), ("一星", 1)]
        where text.contains(word) {
            return value
        }
        return nil
    }

    /// Lower-cased, full-width ASCII folded to half-width, traditional 沒/決/覆 style differences left to the
    /// word lists (they list both scripts).
    static func fold(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if (0xFF01...0xFF5E).contains(scalar.value), let half = Unicode.Scalar(scalar.value - 0xFEE0) {
                scalars.append(half)
            } else {
                scalars.append(scalar)
            }
        }
        return String(scalars).lowercased()
    }
}

/// Reads the time in a `promise` command: `18:00`, `18点`, `2h`, `30m`, `2小时`, `30分钟`, `明天 10:00`,
/// `tomorrow 10:00`. A time of day already past means tomorrow.
public enum PromiseTime {
    public static func parse(_ text: String, now: Date, calendar: Calendar) -> (Date, rest: String)? {
        // Split on spaces only: the colon inside `18:00` is part of the time.
        func splitWord(_ text: Substring) -> (String?, Substring) {
            let trimmed = text.drop { $0 == " " || $0 == "\u{3000}" }
            guard !trimmed.isEmpty else { return (nil, trimmed) }
            let end = trimmed.firstIndex { $0 == " " || $0 == "\u{3000}" } ?? trimmed.endIndex
            return (String(trimmed[..<end]), trimmed[end...])
        }
        var (word, rest) = splitWord(text[...])
        guard var token = word.map(ResidentWords.fold) else { return nil }
        var dayOffset = 0
        for prefix in ["明天", "tomorrow", "明日"] where token.hasPrefix(prefix) {
            dayOffset = 1
            token = String(token.dropFirst(prefix.count))
            if token.isEmpty {
                (word, rest) = splitWord(rest)
                token = word.map(ResidentWords.fold) ?? ""
            }
        }
        let remainder = CommandWords.trimmed(rest)
        if dayOffset == 0, let span = duration(token) {
            return (now.addingTimeInterval(span), remainder)
        }
        guard let minutes = timeOfDay(token) else { return nil }
        let midnight = calendar.startOfDay(for: now)
        guard var date = calendar.date(byAdding: .minute, value: minutes, to: midnight) else { return nil }
        if dayOffset > 0 || date <= now { date = calendar.date(byAdding: .day, value: 1, to: date) ?? date }
        return (date, remainder)
    }

    /// `2h`, `90m`, `2小时`, `2小時`, `30分钟`, `30分鐘`, `1.5h` → seconds.
    static func duration(_ token: String) -> TimeInterval? {
        for (unit, seconds) in [("小时", 3600.0), ("小時", 3600), ("分钟", 60), ("分鐘", 60), ("hours", 3600),
                                ("hour", 3600), ("h", 3600), ("min", 60), ("m", 60)] where token.hasSuffix(unit) {
            guard let value = Double(token.dropLast(unit.count)), value > 0, value <= 24 * 14 * 60 else { return nil }
            return value * seconds
        }
        return nil
    }

    /// `18:00`, `18：00`, `18点`, `18點`, `18点30` → minutes after midnight.
    static func timeOfDay(_ token: String) -> Int? {
        let parts = token.split(whereSeparator: { $0 == ":" || $0 == "点" || $0 == "點" || $0 == "：" })
            .map { $0.replacingOccurrences(of: "分", with: "") }
        guard (1...2).contains(parts.count), let hour = Int(parts[0]), (0...23).contains(hour) else { return nil }
        let minute = parts.count == 2 ? Int(parts[1]) : 0
        guard let minute, (0...59).contains(minute) else { return nil }
        guard token.contains(":") || token.contains("：") || token.contains("点") || token.contains("點") else { return nil }
        return hour * 60 + minute
    }
}
