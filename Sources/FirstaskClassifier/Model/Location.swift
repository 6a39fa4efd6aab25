/// Where in the estate a message is about: building, unit (stairway/wing) and room, as written by residents
/// but normalised (ASCII digits, upper-case letters), or a named place without a flat number.
///
/// Any field may be nil; a location with all of them nil is never produced. The classifier fills building,
/// unit and room only; `place` is the spot a patrol names (`巡查 水泵房 地面积水`: 水泵房).
public struct Location: Sendable, Codable, Equatable, Hashable {
    /// Building id: the number or letter before 栋/幢/号楼/座 or after Block/Tower.
    public var building: String?
    /// Unit (单元/门/梯/翼, or a 座 under a 栋).
    public var unit: String?
    /// Room; for floor-plus-flat styles the floor followed by the two-digit flat number or the flat letter.
    public var room: String?
    /// A named place in the estate (a plant room, a car-park level, the lobby), as staff wrote it.
    public var place: String?

    public init(building: String? = nil, unit: String? = nil, room: String? = nil, place: String? = nil) {
        self.building = building
        self.unit = unit
        self.room = room
        self.place = place
    }

    /// Compact form for staff messages: the present parts joined with "-", e.g. `3-2-501`, `B-1203`, `水泵房`.
    public var display: String {
        [building, unit, room, place].compactMap { $0 }.joined(separator: "-")
    }
}
