import FirstaskClassifier

/// A staff member who can be on duty, receive tickets and work them by text.
public struct Staff: Sendable, Equatable, Codable, Hashable {
    public enum Role: String, Sendable, Codable, CaseIterable {
        case staff
        /// Heads a department: receives escalations and major complaints.
        case head
        /// Company leadership: receives major complaints and final escalations.
        case leader
    }

    /// A short stable id used in the roster and on the ticket (`wang_fang`).
    public var id: String
    /// The name residents are told (`王芳`).
    public var name: String
    /// The address staff texts come from and go to (a phone number for SMS).
    public var address: String
    public var department: Department
    public var role: Role
    /// The language staff messages use.
    public var locale: ReplyLocale
    /// The channel to reach this person on; `nil` means the desk's default channel for staff (the first
    /// configured channel that texts phone numbers), never the channel a resident wrote on.
    public var channel: String?

    public init(
        id: String, name: String, address: String, department: Department, role: Role = .staff,
        locale: ReplyLocale = .zhHans, channel: String? = nil
    ) {
        self.id = id
        self.name = name
        self.address = address
        self.department = department
        self.role = role
        self.locale = locale
        self.channel = channel
    }
}
