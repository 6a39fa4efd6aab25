/// The subject of a message; each category routes to exactly one ``Department`` (see ``RuleSet/department(for:)``).
///
/// Raw values are the label values of `docs/LABELS.md` and of the rules file.
public enum Category: String, Sendable, Codable, CaseIterable {
    case plumbing, electrical, elevator, facility
    case fireSafety = "fire_safety"
    case security, parking, noise, sanitation, greenery, fees, renovation
    case staffConduct = "staff_conduct"
    case general
}
