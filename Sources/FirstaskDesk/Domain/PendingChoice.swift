import Foundation

/// A resident's message the desk could not place: they have several open tickets and the message could
/// belong to any. The desk asks "which one?" and keeps the message here until the answer names a ref.
public struct PendingChoice: Sendable, Equatable, Codable {
    public var text: String
    public var channel: String
    public var at: Date
    /// The refs offered.
    public var refs: [String]

    public init(text: String, channel: String, at: Date, refs: [String]) {
        self.text = text
        self.channel = channel
        self.at = at
        self.refs = refs
    }
}
