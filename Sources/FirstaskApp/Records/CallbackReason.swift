/// Why a ticket is on the month's callback list (回访名单).
public enum CallbackReason: String, Sendable, Codable, CaseIterable, Comparable {
    /// Severity major (重大投诉): the procedure asks for a callback on every one.
    case major
    /// Severity emergency: as serious as major, so called back too.
    case emergency
    /// Closed without the resident confirming it solved.
    case unconfirmed
    /// Rated 1 or 2.
    case lowRating = "low_rating"
    /// The resident said it was not solved at least once.
    case reopened
    /// Drawn in the month's deterministic sample of the other closed tickets.
    case sample

    public static func < (lhs: CallbackReason, rhs: CallbackReason) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
