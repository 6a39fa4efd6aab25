/// Where in the estate a message is about: building, unit (stairway/wing) and room, as written by residents
/// but normalised (ASCII digits, upper-case letters).
///
/// Any field may be nil; a location with all three nil is never produced by the classifier.
public struct Location: Sendable, Codable, Equatable, Hashable {
    /// Building id: the number or letter before 栋/幢/号楼/座 or after Block/Tower.
    public var building: String?
    /// Unit (单元/门/梯/翼, or a 座 under a 栋).
    public var unit: String?
    /// Room; for floor-plus-flat styles the floor followed by the two-digit flat number or the flat letter.
    public var room: String?

    public init(building: String? = nil, unit: String? = nil, room: String? = nil) {
        self.building = building
        self.unit = unit
        self.room = room
    }

    /// Compact form for staff messages: the present parts joined with "-", e.g. `3-2-501`, `B-1203`.
    public var display: String {
        [building, unit, room].compactMap { $0 }.joined(separator: "-")
    }
}
