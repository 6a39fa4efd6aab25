import FirstaskClassifier
import Foundation

/// The desk's tunable promises, from the `desk` section of the configuration.
public struct DeskPolicy: Sendable, Equatable {
    /// How soon the resident is promised a reply, by severity.
    public var replyWithin: [Severity: TimeInterval]

    public init(replyWithin: [Severity: TimeInterval] = DeskPolicy.defaultReplyWithin) {
        self.replyWithin = replyWithin
    }

    /// 15 minutes for emergencies, 1 hour for major complaints, 4 hours otherwise.
    public static let defaultReplyWithin: [Severity: TimeInterval] = [
        .emergency: 15 * 60, .major: 60 * 60, .general: 4 * 60 * 60,
    ]

    public func replyDeadline(for severity: Severity, openedAt: Date) -> Date {
        openedAt.addingTimeInterval(replyWithin[severity] ?? DeskPolicy.defaultReplyWithin[severity] ?? 4 * 3600)
    }
}
