/// Finds the building / unit / room a message is about, in a normalised message (see ``TextNormalizer``:
/// half-width digits, lower case, simplified characters, so 棟→栋, 樓→楼, 號→号, 單元→单元).
///
/// A hand-written scanner rather than a pile of regular expressions: it reads the text once, turning
/// each address-like token into a ``Part`` (`3栋`, `2单元`, `15楼之3`, `Block A`, `Flat 7`, `23/F`,
/// `3-2-501`…), then groups parts that sit close together and picks the most complete group.
///
/// Conventions follow `docs/LABELS.md`, "Location": Chinese numerals become ASCII digits, letters are
/// upper-cased, a floor plus a flat number or letter makes one room (`15楼7室` → 1507, `23/F Flat C` → 23C),
/// a floor alone, car-park levels (B1) and parking-bay numbers (B1-044) are not locations, and a bare
/// number is a room only right next to a building or unit (`8栋1903`).
enum LocationScanner {
    static func scan(_ text: [Unicode.Scalar]) -> Location? {
        var buffers = Buffers()
        return scan(text, buffers: &buffers)
    }

    /// Scratch arrays for ``scan(_:buffers:)``, kept by a caller that scans message after message so
    /// that a scan allocates nothing but the strings of the location it returns.
    struct Buffers: Sendable {
        fileprivate var parts: [Part] = []
        fileprivate var groups: [Group] = []
        fileprivate var locations: [Location] = []
    }

    /// ``scan(_:)`` reusing `buffers`.
    static func scan(_ text: [Unicode.Scalar], buffers: inout Buffers) -> Location? {
        // Moved, not copied: the scanner must hold the only reference, or emptying and appending would
        // copy the buffer.
        var parts: [Part] = []
        swap(&parts, &buffers.parts)
        parts.removeAll(keepingCapacity: true)
        var scanner = Scanner(text: text, parts: consume parts)
        scanner.run()
        defer { buffers.parts = scanner.parts }
        // Most messages name no address part at all.
        guard !scanner.parts.isEmpty else { return nil }
        resolveBareNumbers(&scanner.parts)
        group(scanner.parts, in: text, into: &buffers.groups)
        buffers.locations.removeAll(keepingCapacity: true)
        for group in buffers.groups {
            if let location = group.location { buffers.locations.append(location) }
        }
        return choose(buffers.locations)
    }

    // MARK: - Parts

    struct Part: Equatable, Sendable {
        /// `neighbourRoom`: the flat a neighbour word points at (楼上1502): a group of its own, which only
        /// fills in a room the sender's own address leaves out.
        enum Kind { case building, unit, floor, room, flat, bareNumber, neighbourRoom }
        var kind: Kind
        var value: String
        var start: Int
        var end: Int
    }

    private struct Scanner {
        let text: [Unicode.Scalar]
        var parts: [Part] = []
        var index = 0

        /// `parts` must be empty (its capacity is reused).
        init(text: [Unicode.Scalar], parts: consuming [Part]) {
            self.text = text
            self.parts = parts
        }

        /// Appends a part; the first one reserves room for a few, so a message naming an address does not
        /// regrow the array part by part.
        private mutating func add(_ part: Part) {
            if parts.capacity == 0 { parts.reserveCapacity(8) }
            parts.append(part)
        }

        mutating func run() {
            let count = text.count
            while index < count {
                // Only ASCII letters and digits and Chinese numerals can start an address part; most
                // characters of a message are neither: skip them in a tight loop.
                var next = index
                text.withUnsafeBufferPointer { text in
                    while next < count && !Self.mayStartPart(text[next]) { next += 1 }
                }
                index = next
                guard index < count else { return }
                let start = index
                let consumed = scanEnglishKeyword() || scanDigits() || scanChineseNumeral() || scanLetter()
                // Every scanner advances when it consumes; the guard keeps a future bug from looping.
                if !consumed || index <= start {
                    index = start + 1
                }
            }
        }

        @inline(__always)
        private static func mayStartPart(_ scalar: Unicode.Scalar) -> Bool {
            scalar.value < 0x80 ? TextNormalizer.isWordScalar(scalar) : ChineseNumeral.isNumeral(scalar)
        }

        // MARK: English: Block 3, Tower A, Unit 2, Flat 12A, Room 501

        /// What an English address word introduces.
        private enum AddressWord {
            /// Block, Tower: a number or a letter follows.
            case letteredBuilding
            /// Bldg, Building: only a number follows ("building a new gym" is not Building A).
            case building
            case unit
            case flat
        }

        /// The address word spelled by `text[range]` (block, blk, tower, twr, bldg, building, unit, flat, room,
        /// rm, apt, apartment, suite), compared byte by byte against constant strings: no table, no String,
        /// no reference counting, for a check made on every English word of every message.
        private func addressWord(_ range: Range<Int>) -> AddressWord? {
            func spells(_ word: StaticString) -> Bool {
                guard word.utf8CodeUnitCount == range.count else { return false }
                let bytes = word.utf8Start
                for offset in 0..<range.count where text[range.lowerBound + offset].value != UInt32(bytes[offset]) { return false }
                return true
            }
            switch text[range.lowerBound] {
            case "a": return spells("apt") || spells("apartment") ? .flat : nil
            case "b":
                if spells("block") || spells("blk") { return .letteredBuilding }
                return spells("bldg") || spells("building") ? .building : nil
            case "f": return spells("flat") ? .flat : nil
            case "r": return spells("room") || spells("rm") ? .flat : nil
            case "s": return spells("suite") ? .flat : nil
            case "t": return spells("tower") || spells("twr") ? .letteredBuilding : nil
            case "u": return spells("unit") ? .unit : nil
            default: return nil
            }
        }

        mutating func scanEnglishKeyword() -> Bool {
            guard isLetter(at: index), !isWord(at: index - 1) else { return false }
            var end = index
            while isLetter(at: end) { end += 1 }
            guard let word = addressWord(index..<end) else {
                // A single letter may be a building (A座); a letter run glued to digits (b2, q3) is
                // skipped by the other scanners.
                if end == index + 1 || isDigit(at: end) { return false }
                index = end
                return true
            }
            let isBuilding = word == .building || word == .letteredBuilding
            let isUnit = word == .unit
            var cursor = end
            while cursor < text.count, cursor - end < 3, Self.isIdentifierLead(text[cursor]) {
                cursor += 1
            }
            guard let id = readIdentifier(at: cursor) else {
                index = end
                return true
            }
            let value = id.value
            let kind: Part.Kind
            if isBuilding {
                // "building a new gym" is not Building A: letters only after Block/Tower.
                guard id.digits <= 3, id.digits > 0 || word == .letteredBuilding else {
                    index = end
                    return true
                }
                kind = .building
            } else if isUnit {
                kind = id.digits >= 3 ? .room : .unit
            } else {
                kind = (id.digits >= 3 || (id.digits > 0 && id.letters > 0)) ? .room : .flat
            }
            add(Part(kind: kind, value: value, start: index, end: id.end))
            index = id.end
            return true
        }

        /// What may stand between an English address word and its identifier: `Block #3`, `Flat: 12`.
        private static func isIdentifierLead(_ scalar: Unicode.Scalar) -> Bool {
            switch scalar {
            case " ", "#", "(", ":", ".": true
            default: false
            }
        }

        /// An address identifier, upper-cased: `12`, `12A`, `A` (a single letter not followed by another letter).
        private func readIdentifier(at position: Int) -> (value: String, digits: Int, letters: Int, end: Int)? {
            var end = position
            while isDigit(at: end) { end += 1 }
            let digits = end - position
            if digits > 4 { return nil }
            if isLetter(at: end) && !isLetter(at: end + 1) && !isDigit(at: end + 1) {
                end += 1
            }
            let letters = end - position - digits
            guard end > position, !isWord(at: end) else { return nil }
            if digits > 0 && text[position] == "0" { return nil }
            return (string(position..<end, uppercased: true), digits, letters, end)
        }

        // MARK: Digits: 3栋, 2单元, 15楼之3, 23/f, 5f-2, 3-2-501, 18b, 1203

        mutating func scanDigits() -> Bool {
            guard isDigit(at: index), !isWord(at: index - 1) else { return false }
            let start = index
            var end = index
            while isDigit(at: end) { end += 1 }
            // Most numbers in a message are times, prices and counts: the number's text is only made
            // once something after it says it may be an address.
            if isLetter(at: end) {
                return scanDigitsThenLetter(start: start, letterAt: end)
            }
            if at(end) == "-", let dashed = scanDashed(string(start..<end), start: start, end: end) {
                index = dashed
                return true
            }
            if mayHaveMarker(after: end), scanMarker(string(start..<end), start: start, end: end, source: .digits) { return true }
            if (3...4).contains(end - start), text[start] != "0", !isWord(at: end) {
                // Right after 楼上 / 隔壁 / 对门… a number is the neighbour's flat (楼上1502天天半夜…).
                // (Not before a sum of money: 隔壁2000块.)
                let money = at(end) == "元" || at(end) == "块" || at(end) == "万"
                let kind: Part.Kind = followsNeighbourWord(start) && !money ? .neighbourRoom : .bareNumber
                add(Part(kind: kind, value: string(start..<end), start: start, end: end))
            }
            index = end
            return true
        }

        /// `5f`, `5f-2`, `16f` (floors) and `18b`, `11b` (a flat written on its own). Longer runs such
        /// as `3am`, `4th` or `2nd` are skipped.
        private mutating func scanDigitsThenLetter(start: Int, letterAt letter: Int) -> Bool {
            var end = letter
            while isWord(at: end) { end += 1 }
            index = end
            guard end == letter + 1, letter - start <= 3, text[start] != "0" else { return true }
            let number = string(start..<letter)
            let scalar = text[letter]
            if scalar == "f" {
                if at(end) == "-", let flat = readNumber(at: end + 1, maxDigits: 2) {
                    add(Part(kind: .room, value: number + pad(flat.value), start: start, end: flat.end))
                    index = flat.end
                } else {
                    add(Part(kind: .floor, value: number, start: start, end: end))
                }
            } else if (0x61...0x67).contains(scalar.value), scalar != "f" {
                // Flats are lettered A-E and G; other letters after a number are units (2h, 3d, 5k).
                add(Part(kind: .room, value: number + string(letter..<end, uppercased: true), start: start, end: end))
            }
            return true
        }

        /// `3-2-501` (building-unit-room) and `8-1电梯` (building-unit). Phone numbers, dates and
        /// times fail the length and context checks. Returns the end of what was read, or nil.
        private mutating func scanDashed(_ first: String, start: Int, end: Int) -> Int? {
            guard first.utf8.count <= 3, text[start] != "0", at(end) == "-",
                  let second = readNumber(at: end + 1, maxDigits: 2) else { return nil }
            if at(second.end) == "-" {
                guard let third = readNumber(at: second.end + 1, maxDigits: 4), third.value.utf8.count >= 3 else { return nil }
                add(Part(kind: .building, value: first, start: start, end: end))
                add(Part(kind: .unit, value: second.value, start: end + 1, end: second.end))
                add(Part(kind: .room, value: third.value, start: second.end + 1, end: third.end))
                return third.end
            }
            // Two parts only when a Chinese word follows that is not a unit of time, money or count
            // (8-1电梯 yes; 9-10点, 3-5天 no).
            guard first.utf8.count <= 2, let next = at(second.end), TextNormalizer.isCJK(next),
                  !Self.isCountWord(next) else { return nil }
            add(Part(kind: .building, value: first, start: start, end: end))
            add(Part(kind: .unit, value: second.value, start: end + 1, end: second.end))
            return second.end
        }

        /// Whether 楼上, 楼下, 隔壁, 对门 or 对面 (upstairs, downstairs, next door, across the hall) stands
        /// right before `position`, perhaps with the particle 的 or a space between.
        private func followsNeighbourWord(_ position: Int) -> Bool {
            var end = position
            if let before = at(end - 1), before == " " || before == "的" { end -= 1 }
            guard let first = at(end - 2), let second = at(end - 1) else { return false }
            switch (first, second) {
            case ("楼", "上"), ("楼", "下"), ("隔", "壁"), ("对", "门"), ("对", "面"): return true
            default: return false
            }
        }

        /// Units of time, money or count after `9-10`, `3-5`: 9-10点 is a time, not building 9 unit 10.
        private static func isCountWord(_ scalar: Unicode.Scalar) -> Bool {
            switch scalar {
            case "点", "时", "号", "日", "月", "年", "天", "个", "次", "岁", "分", "元", "块", "万", "人", "户", "楼", "层": true
            default: false
            }
        }

        /// Whether an address marker may stand after `end` (see ``scanMarker(_:start:end:source:)``, whose
        /// markers all start with one of these characters, after at most one space): a cheap test made
        /// before the number's text is built.
        private func mayHaveMarker(after end: Int) -> Bool {
            guard var next = at(end) else { return false }
            if next == " " {
                guard let following = at(end + 1) else { return false }
                next = following
            }
            switch next {
            case "号", "栋", "幢", "座", "单", "门", "梯", "翼", "楼", "层", "/", "室": return true
            default: return false
            }
        }

        /// What the identifier before a marker was written with.
        enum Source { case digits, numeral, letter }

        /// A number (or letter) followed by an address marker: 号楼/栋/幢/座 (building), 单元/门/梯/翼
        /// (unit), 楼/层 or `/f` (floor, maybe with a flat), 室/号房 (room). Returns false when none follows.
        private mutating func scanMarker(_ number: String, start: Int, end: Int, source: Source) -> Bool {
            var cursor = end
            if at(cursor) == " " { cursor += 1 }
            if starts(with: "号", "楼", at: cursor) {
                appendBuilding(number, start: start, end: cursor + 2)
                return true
            }
            if let marker = at(cursor), marker == "栋" || marker == "幢" || marker == "座" {
                // 一栋楼 / 整座楼 count buildings rather than name one.
                if source == .numeral && at(cursor + 1) == "楼" {
                    index = cursor + 2
                    return true
                }
                if marker == "座", let last = parts.last, last.kind == .building, cursor + 1 - last.end <= 4 + number.utf8.count {
                    add(Part(kind: .unit, value: number, start: start, end: cursor + 1))
                    index = cursor + 1
                } else {
                    appendBuilding(number, start: start, end: cursor + 1)
                }
                return true
            }
            if starts(with: "单", "元", at: cursor) {
                add(Part(kind: .unit, value: number, start: start, end: cursor + 2))
                index = cursor + 2
                return true
            }
            // 门/梯/翼 only after a short number: 一梯两户 and 一门心思 are not units, and 1204门口 is a
            // flat's door.
            if source == .digits, number.utf8.count <= 2, let marker = at(cursor), marker == "门" || marker == "梯" || marker == "翼" {
                add(Part(kind: .unit, value: number, start: start, end: cursor + 1))
                index = cursor + 1
                return true
            }
            if source != .letter, let marker = at(cursor), marker == "楼" || marker == "层" {
                scanFloor(number, start: start, after: cursor + 1)
                return true
            }
            if source == .digits, at(cursor) == "/", at(cursor + 1) == "f", !isWord(at: cursor + 2) {
                add(Part(kind: .floor, value: number, start: start, end: cursor + 2))
                index = cursor + 2
                return true
            }
            if source == .digits, at(cursor) == "室" || starts(with: "号", "房", at: cursor) {
                let markerEnd = at(cursor) == "室" ? cursor + 1 : cursor + 2
                add(Part(kind: .room, value: number, start: start, end: markerEnd))
                index = markerEnd
                return true
            }
            return false
        }

        private mutating func appendBuilding(_ value: String, start: Int, end: Int) {
            add(Part(kind: .building, value: value, start: start, end: end))
            index = end
        }

        /// After `N楼`: `之3` → N03, `a`/`a室` → NA, `7室` → N07; otherwise a floor on its own.
        private mutating func scanFloor(_ floor: String, start: Int, after: Int) {
            var cursor = after
            while at(cursor) == " " { cursor += 1 }
            if at(cursor) == "之", let flat = readNumber(at: cursor + 1, maxDigits: 2) {
                add(Part(kind: .room, value: floor + pad(flat.value), start: start, end: flat.end))
                index = flat.end
                return
            }
            if isLetter(at: cursor), !isWord(at: cursor + 1) {
                let end = at(cursor + 1) == "室" ? cursor + 2 : cursor + 1
                add(Part(kind: .room, value: floor + string(cursor..<(cursor + 1), uppercased: true), start: start, end: end))
                index = end
                return
            }
            if let flat = readNumber(at: cursor, maxDigits: 2), at(flat.end) == "室" {
                add(Part(kind: .room, value: floor + pad(flat.value), start: start, end: flat.end + 1))
                index = flat.end + 1
                return
            }
            add(Part(kind: .floor, value: floor, start: start, end: after))
            index = after
        }

        // MARK: Chinese numerals: 三号楼二单元, 二座, 廿五楼

        mutating func scanChineseNumeral() -> Bool {
            guard let scalar = at(index), ChineseNumeral.isNumeral(scalar) else { return false }
            let start = index
            var end = index
            while let next = at(end), ChineseNumeral.isNumeral(next) { end += 1 }
            if mayHaveMarker(after: end), let value = ChineseNumeral.value(text[start..<end]),
               scanMarker(String(value), start: start, end: end, source: .numeral) {
                return true
            }
            // A room spelled digit by digit, with no marker (三幢一单元四零二), is a bare number like 402:
            // kept only right next to a building or unit (see ``resolveBareNumbers(_:)``).
            if (3...4).contains(end - start), text[start] != "〇", text[start] != "零",
               !text[start..<end].contains("十"), !text[start..<end].contains("廿"),
               !isWord(at: end), !(at(end).map(Self.isCountWord) ?? false),
               let value = ChineseNumeral.value(text[start..<end]) {
                add(Part(kind: .bareNumber, value: String(value), start: start, end: end))
            }
            index = end
            return true
        }

        // MARK: Letters: A座, B栋 (a single letter before a marker)

        mutating func scanLetter() -> Bool {
            guard isLetter(at: index), !isWord(at: index - 1), !isWord(at: index + 1) else { return false }
            if mayHaveMarker(after: index + 1), scanMarker(string(index..<(index + 1), uppercased: true), start: index, end: index + 1, source: .letter) {
                return true
            }
            index += 1
            return true
        }

        // MARK: Helpers

        private func readNumber(at position: Int, maxDigits: Int) -> (value: String, end: Int)? {
            var end = position
            while isDigit(at: end) { end += 1 }
            guard end > position, end - position <= maxDigits, !isWord(at: end) else { return nil }
            return (string(position..<end), end)
        }

        private func pad(_ flat: String) -> String {
            flat.utf8.count == 1 ? "0" + flat : flat
        }

        private func at(_ position: Int) -> Unicode.Scalar? {
            text.indices.contains(position) ? text[position] : nil
        }

        private func isDigit(at position: Int) -> Bool {
            at(position).map(TextNormalizer.isDigit) ?? false
        }

        private func isLetter(at position: Int) -> Bool {
            at(position).map(TextNormalizer.isLetter) ?? false
        }

        private func isWord(at position: Int) -> Bool {
            at(position).map(TextNormalizer.isWordScalar) ?? false
        }

        /// Whether the two-character marker `first second` (号楼, 单元, 号房) stands at `position`.
        private func starts(with first: Unicode.Scalar, _ second: Unicode.Scalar, at position: Int) -> Bool {
            at(position) == first && at(position + 1) == second
        }

        /// The text of `range` as a String, written straight into the string's UTF-8 storage: values are
        /// short ASCII runs (digits, a letter), which this makes without a heap allocation (the capacity
        /// asked for is the exact length: a capacity above 15 bytes would allocate even for a short result).
        /// `uppercased` turns ASCII letters into capitals on the way, which is all the upper-casing an
        /// address identifier needs (the text is normalised: other letters are not in one).
        private func string(_ range: Range<Int>, uppercased: Bool = false) -> String {
            var length = 0
            for index in range { length += UTF8.width(text[index]) }
            return String(unsafeUninitializedCapacity: length) { buffer in
                var count = 0
                for index in range {
                    let value = text[index].value
                    if value < 0x80 {
                        let lower = uppercased && (0x61...0x7A).contains(value)
                        buffer[count] = UInt8(truncatingIfNeeded: lower ? value - 0x20 : value)
                        count += 1
                    } else {
                        UTF8.encode(text[index]) { byte in
                            buffer[count] = byte
                            count += 1
                        }
                    }
                }
                return count
            }
        }
    }

    // MARK: - Grouping

    /// Parts further apart than this (in scalars), or split by a sentence end, belong to different places.
    private static let maxGap = 16
    /// A bare number is a room only this close to a building or unit (`8栋1903`, `1504, Tower 7`).
    private static let bareNumberGap = 2

    fileprivate struct Group: Sendable {
        var building: String?
        var unit: String?
        var floor: String?
        var room: String?
        var flat: String?
        /// Holds a ``Part/Kind/neighbourRoom``, and nothing else may join it.
        var neighbour = false
        var end: Int

        var location: Location? {
            var room = room
            if room == nil, let flat {
                if let floor {
                    room = floor + (flat.utf8.count == 1 && (0x30...0x39).contains(flat.utf8.first!) ? "0" + flat : flat)
                } else {
                    room = flat
                }
            }
            guard building != nil || unit != nil || room != nil else { return nil }
            return Location(building: building, unit: unit, room: room)
        }
    }

    /// Gathers neighbouring parts into groups, in `groups` (emptied first).
    private static func group(_ parts: [Part], in text: [Unicode.Scalar], into groups: inout [Group]) {
        groups.removeAll(keepingCapacity: true)
        var current: Group?
        var currentEndPart: Part?
        for part in parts {
            if var group = current, let last = currentEndPart,
               part.start - last.end <= maxGap, fits(part, in: group),
               !text[last.end..<max(last.end, part.start)].contains(where: isSentenceEnd) {
                assign(part, to: &group)
                group.end = part.end
                current = group
            } else {
                if let group = current { groups.append(group) }
                var group = Group(end: part.end)
                assign(part, to: &group)
                current = group
            }
            currentEndPart = part
        }
        if let group = current { groups.append(group) }
    }

    private static func isSentenceEnd(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "." || scalar == "!" || scalar == "?" || scalar == ";" || scalar == "\n"
    }

    private static func fits(_ part: Part, in group: Group) -> Bool {
        guard !group.neighbour else { return false }
        return switch part.kind {
        case .building: group.building == nil
        case .unit: group.unit == nil
        case .floor: group.floor == nil && group.room == nil
        case .neighbourRoom: false
        case .room, .bareNumber: group.room == nil
        case .flat: group.flat == nil && group.room == nil
        }
    }

    private static func assign(_ part: Part, to group: inout Group) {
        switch part.kind {
        case .building: group.building = part.value
        case .unit: group.unit = part.value
        case .floor: group.floor = part.value
        case .room, .bareNumber: group.room = part.value
        case .neighbourRoom:
            group.room = part.value
            group.neighbour = true
        case .flat: group.flat = part.value
        }
    }

    /// Keeps a bare number only when it touches a building or unit part, as a room; drops it otherwise.
    /// In place: each part is decided from its original neighbours, which the write position never passes.
    private static func resolveBareNumbers(_ parts: inout [Part]) {
        guard parts.contains(where: { $0.kind == .bareNumber }) else { return }
        var kept = 0
        var before: Part?
        for offset in parts.indices {
            let part = parts[offset]
            defer { before = part }
            guard part.kind == .bareNumber else {
                parts[kept] = part
                kept += 1
                continue
            }
            let after = offset + 1 < parts.count ? parts[offset + 1] : nil
            let touchesBefore = before.map { ($0.kind == .building || $0.kind == .unit) && part.start - $0.end <= bareNumberGap } ?? false
            let touchesAfter = after.map { $0.kind == .building && $0.start - part.end <= bareNumberGap } ?? false
            if touchesBefore || touchesAfter {
                parts[kept] = Part(kind: .room, value: part.value, start: part.start, end: part.end)
                kept += 1
            }
        }
        parts.removeLast(parts.count - kept)
    }

    /// The most complete group wins, the first on a tie; fields it lacks are filled from other groups
    /// that do not contradict it ("the lift in Block 2 is noisy. I'm in Flat 1203" → 2 / 1203). Two
    /// different buildings named on their own ("12栋和13栋") are ambiguous and give nil.
    private static func choose(_ locations: [Location]) -> Location? {
        guard var best = locations.first else { return nil }
        for location in locations.dropFirst() where fieldCount(location) > fieldCount(best) {
            best = location
        }
        if fieldCount(best) == 1, best.building != nil,
           locations.contains(where: { fieldCount($0) == 1 && $0.building != nil && $0.building != best.building }) {
            return nil
        }
        for other in locations where other != best && !contradicts(other, best) {
            best.building = best.building ?? other.building
            best.unit = best.unit ?? other.unit
            best.room = best.room ?? other.room
        }
        return best
    }

    private static func contradicts(_ lhs: Location, _ rhs: Location) -> Bool {
        func differ(_ a: String?, _ b: String?) -> Bool { a != nil && b != nil && a != b }
        return differ(lhs.building, rhs.building) || differ(lhs.unit, rhs.unit) || differ(lhs.room, rhs.room)
    }

    private static func fieldCount(_ location: Location) -> Int {
        (location.building == nil ? 0 : 1) + (location.unit == nil ? 0 : 1) + (location.room == nil ? 0 : 1)
    }
}
