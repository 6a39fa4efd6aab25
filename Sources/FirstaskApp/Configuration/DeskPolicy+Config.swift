import FirstaskClassifier
import FirstaskDesk
import Foundation

/// Reads the `desk` section of the configuration (documented in `deploy/firstask.yaml`).
extension DeskPolicy {
    static let configKeys: Set<String> = [
        "deadlines", "category_deadlines", "escalation_step", "repeat_window", "repeats_for_major", "confirm_within",
        "max_transfers", "quiet_hours", "check_in", "clarify_below",
    ]

    static func read(_ section: YAMLReader?) throws -> DeskPolicy {
        var policy = DeskPolicy()
        guard let section else { return policy }
        let severities = Set(Severity.allCases.map(\.rawValue))
        if let deadlines = try section.mapping("deadlines", allowed: severities) {
            policy.deadlines = try readDeadlines(deadlines, base: policy.deadlines)
        }
        if let categories = try section.mapping("category_deadlines", allowed: Set(Category.allCases.map(\.rawValue))) {
            for category in Category.allCases {
                guard let perSeverity = try categories.mapping(category.rawValue, allowed: severities) else { continue }
                policy.categoryDeadlines[category] = try readDeadlines(perSeverity, base: policy.deadlines)
            }
        }
        if let steps = try section.mapping("escalation_step", allowed: severities) {
            for severity in Severity.allCases {
                if let seconds = try steps.duration(severity.rawValue) {
                    guard seconds >= 60 else {
                        throw ConfigError(file: steps.file, key: steps.full(severity.rawValue), problem: "must be at least 1m")
                    }
                    policy.escalationStep[severity] = seconds
                }
            }
        }
        policy.repeatWindow = try section.duration("repeat_window") ?? policy.repeatWindow
        policy.repeatsForMajor = try section.int("repeats_for_major", default: policy.repeatsForMajor, range: 1...100)
        policy.confirmWithin = try section.duration("confirm_within") ?? policy.confirmWithin
        policy.maxTransfers = try section.int("max_transfers", default: policy.maxTransfers, range: 0...20)
        if let quiet = try section.optionalString("quiet_hours") {
            guard let hours = QuietHours(parsing: quiet) else {
                throw ConfigError(file: section.file, key: section.full("quiet_hours"),
                                  problem: "must be a local time range such as 22:00-07:30")
            }
            policy.quietHours = hours
        }
        if let checkIn = try section.mapping("check_in", allowed: ["required", "grace"]) {
            policy.checkInRequired = try checkIn.bool("required", default: policy.checkInRequired)
            policy.checkInGrace = try checkIn.duration("grace") ?? policy.checkInGrace
        }
        policy.clarifyBelow = try section.double("clarify_below", default: policy.clarifyBelow, range: 0...1)
        return policy
    }

    /// `{emergency: {first_response: 5m, reply: 15m, resolution: 4h}, …}`; missing values keep `base`.
    private static func readDeadlines(_ section: YAMLReader, base: [Severity: Deadlines]) throws -> [Severity: Deadlines] {
        var result = base
        for severity in Severity.allCases {
            guard let entry = try section.mapping(severity.rawValue, allowed: Set(Deadline.allCases.map(\.rawValue))) else { continue }
            var deadlines = base[severity] ?? DeskPolicy.defaultDeadlines[severity]!
            for deadline in Deadline.allCases {
                if let seconds = try entry.duration(deadline.rawValue) {
                    guard seconds > 0 else {
                        throw ConfigError(file: entry.file, key: entry.full(deadline.rawValue), problem: "must be longer than 0")
                    }
                    deadlines[deadline] = seconds
                }
            }
            result[severity] = deadlines
        }
        return result
    }
}

extension QuietHours {
    /// `22:00-07:30` (local times; may cross midnight).
    init?(parsing text: String) {
        let parts = text.split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
        func minutes(_ part: String) -> Int? {
            let pieces = part.split(separator: ":")
            guard pieces.count == 2, let hour = Int(pieces[0]), let minute = Int(pieces[1]),
                  (0...23).contains(hour), (0...59).contains(minute) else { return nil }
            return hour * 60 + minute
        }
        guard parts.count == 2, let start = minutes(parts[0]), let end = minutes(parts[1]), start != end else { return nil }
        self.init(start: start, end: end)
    }
}
