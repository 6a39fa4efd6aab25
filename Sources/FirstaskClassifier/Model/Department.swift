/// The department that handles a category of problem; the mapping lives in the rules file.
public enum Department: String, Sendable, Codable, CaseIterable {
    case service, engineering
    case fireControl = "fire_control"
    case security, environment, management
}
