/// How urgent a message is, independent of its intent.
///
/// Ordered `general < major < emergency`: `major` is a 重大投诉 that goes beyond a front-line department,
/// `emergency` is danger to people or property now.
public enum Severity: String, Sendable, Codable, CaseIterable, Comparable {
    case general, major, emergency

    public static func < (lhs: Severity, rhs: Severity) -> Bool {
        lhs.rank < rhs.rank
    }

    private var rank: Int {
        switch self {
        case .general: 0
        case .major: 1
        case .emergency: 2
        }
    }
}
