import FirstaskClassifier
import Foundation

/// One recurring duty shift: a staff member on duty for a department between two times of day.
///
/// A shift whose end is not after its start crosses midnight (`20:00`–`08:00`). `days`, when set,
/// names the weekdays on which the shift *starts* (1 = Sunday … 7 = Saturday, as `Calendar` counts).
public struct Shift: Sendable, Equatable, Codable, Hashable {
    public var staffID: String
    public var department: Department
    /// Minutes after local midnight.
    public var start: Int
    /// Minutes after local midnight; `end <= start` means the shift ends the next day.
    public var end: Int
    public var days: Set<Int>?

    public init(staffID: String, department: Department, start: Int, end: Int, days: Set<Int>? = nil) {
        self.staffID = staffID
        self.department = department
        self.start = start
        self.end = end
        self.days = days
    }

    /// Whether the shift covers `minute` (after local midnight) on a day whose weekday is `weekday`.
    func covers(minute: Int, weekday: Int) -> Bool {
        let previousDay = weekday == 1 ? 7 : weekday - 1
        func startsOn(_ day: Int) -> Bool { days.map { $0.contains(day) } ?? true }
        if start < end {
            return startsOn(weekday) && minute >= start && minute < end
        }
        // Crosses midnight: the evening part belongs to today's shift, the morning part to yesterday's.
        return (minute >= start && startsOn(weekday)) || (minute < end && startsOn(previousDay))
    }
}

/// Who works where and when: the staff directory, the 24-hour duty shifts and the time zone they are in.
public struct Roster: Sendable, Equatable {
    public var timeZone: TimeZone
    public var staff: [Staff] {
        didSet { reindex() }
    }
    public var shifts: [Shift]
    /// Positions in `staff` by id and by normalised address: every inbound message asks "is this staff?".
    private var positionByID: [String: Int] = [:]
    private var positionByAddress: [AddressKey: Int] = [:]

    public init(timeZone: TimeZone, staff: [Staff], shifts: [Shift]) {
        self.timeZone = timeZone
        self.staff = staff
        self.shifts = shifts
        reindex()
    }

    private mutating func reindex() {
        positionByID = [:]
        positionByAddress = [:]
        for (position, member) in staff.enumerated() {
            positionByID[member.id] = positionByID[member.id] ?? position
            positionByAddress[AddressKey(member.address)] = positionByAddress[AddressKey(member.address)] ?? position
        }
    }

    public static let empty = Roster(timeZone: .gmt, staff: [], shifts: [])

    public func member(id: String) -> Staff? { positionByID[id].map { staff[$0] } }

    /// The staff member registered with this address, if the sender is staff.
    public func member(address: String) -> Staff? {
        positionByAddress[AddressKey(address)].map { staff[$0] }
    }

    /// Everyone on duty for `department` at `date`, in roster order.
    public func onDuty(_ department: Department, at date: Date) -> [Staff] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.hour, .minute, .weekday], from: date)
        let minute = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        let weekday = parts.weekday ?? 1
        let ids = shifts.filter { $0.department == department && $0.covers(minute: minute, weekday: weekday) }
            .map(\.staffID)
        var seen = Set<String>()
        return ids.compactMap { id in seen.insert(id).inserted ? member(id: id) : nil }
    }

    /// Every shift that starts in `from..<to`, with its start instant, in start order.
    public func shiftStarts(from: Date, to: Date) -> [(shift: Shift, start: Date)] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        var starts: [(Shift, Date)] = []
        var day = calendar.startOfDay(for: from.addingTimeInterval(-86_400))
        while day < to {
            let weekday = calendar.component(.weekday, from: day)
            for shift in shifts where shift.days.map({ $0.contains(weekday) }) ?? true {
                if let start = calendar.date(byAdding: .minute, value: shift.start, to: day), start >= from, start < to {
                    starts.append((shift, start))
                }
            }
            guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { break }
            day = next
        }
        return starts.sorted { $0.1 < $1.1 }
    }

    /// Staff whose name appears in `text` (names of two or more characters), e.g. the subject of a
    /// conduct complaint.
    public func membersNamed(in text: String) -> [Staff] {
        let folded = text.lowercased()
        return staff.filter { $0.name.count >= 2 && folded.contains($0.name.lowercased()) }
    }

    /// The head of `department`, or else the first leader.
    public func head(of department: Department) -> Staff? {
        staff.first { $0.department == department && $0.role == .head } ?? staff.first { $0.role == .leader }
    }

    /// Company leadership.
    public var leaders: [Staff] { staff.filter { $0.role == .leader } }
}

/// Compares addresses the way people write phone numbers: ignoring spaces, dashes and brackets.
struct AddressKey: Hashable, Sendable {
    let value: String
    init(_ address: String) {
        var scalars = String.UnicodeScalarView()
        for scalar in address.unicodeScalars where scalar != " " && scalar != "-" && scalar != "(" && scalar != ")" {
            scalars.append(scalar)
        }
        value = String(scalars).lowercased()
    }
}
