/// A staff member's text, read as a command on a ticket.
public struct StaffCommand: Sendable, Equatable {
    public enum Verb: String, Sendable, CaseIterable {
        case accept, reply, done
    }

    public var verb: Verb
    public var ref: String
    /// Free text after the verb and ref (the reply to relay, a note).
    public var text: String

    public init(verb: Verb, ref: String, text: String) {
        self.verb = verb
        self.ref = ref
        self.text = text
    }
}

/// The words staff may use for each command, from `prompts/commands.yaml`, so admins can add synonyms.
public struct CommandWords: Sendable, Equatable {
    public var words: [StaffCommand.Verb: [String]]

    public init(_ words: [StaffCommand.Verb: [String]]) {
        self.words = words
    }

    /// Reads `text` as `VERB REF [text]`, `REF VERB [text]` or `REF text` (a reply); `nil` if it is none of these.
    ///
    /// Verbs match case-insensitively; the ref is `T` and digits, in either case. Full-width spaces,
    /// colons and commas between the parts are accepted, because phones insert them.
    public func parse(_ text: String) -> StaffCommand? {
        let (first, afterFirst) = Self.splitWord(text[...])
        guard let first else { return nil }
        let (second, afterSecond) = Self.splitWord(afterFirst)
        if let ref = Self.ticketRef(first) {
            if let second, let verb = verb(for: second) {
                return StaffCommand(verb: verb, ref: ref, text: Self.trimmed(afterSecond))
            }
            // A bare ref followed by text is a reply to the resident.
            let rest = Self.trimmed(afterFirst)
            guard !rest.isEmpty else { return nil }
            return StaffCommand(verb: .reply, ref: ref, text: rest)
        }
        if let verb = verb(for: first) {
            guard let second, let ref = Self.ticketRef(second) else { return nil }
            return StaffCommand(verb: verb, ref: ref, text: Self.trimmed(afterSecond))
        }
        // The verb and the ref written together: `接单T0001`.
        let lowered = first.lowercased()
        for verb in StaffCommand.Verb.allCases {
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
        String(text.drop { separators.contains($0) })
    }
}
