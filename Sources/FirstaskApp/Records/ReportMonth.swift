import Foundation

/// A calendar month in the estate's time zone: `2026-11` in Asia/Shanghai runs from
/// 2026-10-31 16:00 UTC up to (not including) 2026-11-30 16:00 UTC.
public struct ReportMonth: Sendable, Equatable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var timeZone: TimeZone
    /// The first instant of the month.
    public var start: Date
    /// The first instant of the next month.
    public var end: Date

    /// Parses `YYYY-MM`; `nil` for anything else (a month outside 1–12, extra text).
    public init?(_ text: String, timeZone: TimeZone) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), (1...12).contains(month), year >= 1970
        else { return nil }
        self.init(year: year, month: month, timeZone: timeZone)
    }

    public init(year: Int, month: Int, timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.year = year
        self.month = month
        self.timeZone = timeZone
        start = calendar.date(from: DateComponents(year: year, month: month, day: 1))!
        end = calendar.date(byAdding: .month, value: 1, to: start)!
    }

    public func contains(_ date: Date) -> Bool { date >= start && date < end }

    /// `2026-11`.
    public var description: String { String(format: "%04d-%02d", year, month) }
}
