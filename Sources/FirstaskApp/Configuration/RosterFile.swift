import FirstaskClassifier
import FirstaskDesk
import Foundation

/// Reads the duty roster YAML (`deploy/roster.yaml` documents the format).
public enum RosterFile {
    public static func load(path: String) throws -> Roster {
        try parse(try ConfigFile.text(at: path), file: path)
    }

    public static func parse(_ text: String, file: String) throws -> Roster {
        let root = try YAMLReader.root(text: text, file: file, environment: [:], envPrefix: nil,
                                       allowed: ["timezone", "staff", "shifts"])
        do {
            return try read(root, file: file)
        } catch let error as ConfigError {
            throw root.locate(error)
        }
    }

    private static func read(_ root: YAMLReader, file: String) throws -> Roster {
        let zoneName = try root.optionalString("timezone") ?? "Asia/Shanghai"
        guard let zone = TimeZone(identifier: zoneName) else {
            throw ConfigError(file: file, key: "timezone", problem: "is not a known time zone (e.g. Asia/Shanghai)")
        }
        var staff: [Staff] = []
        for item in try root.list("staff", allowed: ["id", "name", "phone", "department", "role", "locale", "channel"]) {
            let id = try item.string("id")
            guard !staff.contains(where: { $0.id == id }) else {
                throw ConfigError(file: file, key: item.full("id"), problem: "repeats an earlier staff id")
            }
            let department = try enumValue(Department.self, item, "department", file: file)
            let role = try item.has("role") ? enumValue(Staff.Role.self, item, "role", file: file) : .staff
            let locale = try item.has("locale") ? enumValue(ReplyLocale.self, item, "locale", file: file) : .zhHans
            staff.append(Staff(id: id, name: try item.string("name"), address: try item.string("phone"),
                               department: department, role: role, locale: locale, channel: try item.optionalString("channel")))
        }
        var shifts: [Shift] = []
        for item in try root.list("shifts", allowed: ["staff", "department", "from", "to", "days"]) {
            let staffID = try item.string("staff")
            guard let member = staff.first(where: { $0.id == staffID }) else {
                throw ConfigError(file: file, key: item.full("staff"), problem: "names no staff member listed under 'staff'")
            }
            let department = try item.has("department") ? enumValue(Department.self, item, "department", file: file) : member.department
            let days = try item.stringList("days").map { names in
                try Set(names.map { name in
                    guard let day = weekdays[name.lowercased()] else {
                        throw ConfigError(file: file, key: item.full("days"), problem: "has '\(name)', not a weekday (mon … sun)")
                    }
                    return day
                })
            }
            shifts.append(Shift(staffID: staffID, department: department, start: try minutes(item, "from", file: file),
                                end: try minutes(item, "to", file: file), days: days))
        }
        return Roster(timeZone: zone, staff: staff, shifts: shifts)
    }

    static let weekdays: [String: Int] = ["sun": 1, "mon": 2, "tue": 3, "wed": 4, "thu": 5, "fri": 6, "sat": 7]

    static func minutes(_ item: YAMLReader, _ key: String, file: String) throws -> Int {
        let text = try item.string(key)
        let parts = text.split(separator: ":")
        guard parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]), (0...24).contains(hour),
              (0..<60).contains(minute), hour * 60 + minute <= 24 * 60
        else {
            throw ConfigError(file: file, key: item.full(key), problem: "must be a time of day HH:MM, e.g. 08:00")
        }
        return (hour * 60 + minute) % (24 * 60)
    }

    static func enumValue<T: RawRepresentable & CaseIterable>(_ type: T.Type, _ item: YAMLReader, _ key: String, file: String) throws -> T
    where T.RawValue == String {
        let text = try item.string(key)
        guard let value = T(rawValue: text) else {
            throw ConfigError(file: file, key: item.full(key),
                              problem: "must be one of: \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }
}
