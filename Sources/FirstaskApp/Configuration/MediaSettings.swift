import FirstaskDesk
import Foundation

/// `media:` — where attachments are kept and what is accepted (README, "Attachments").
public struct MediaSettings: Sendable, Equatable {
    /// `media.dir`: the folder of content-addressed files; `nil` = `media/` next to the SQLite database.
    public var dir: String?
    /// `media.max_bytes` (default 10 MiB) and `media.types` (default images and PDF).
    public var policy = MediaPolicy()

    public init(dir: String? = nil, policy: MediaPolicy = MediaPolicy()) {
        self.dir = dir
        self.policy = policy
    }

    /// The folder used: `dir`, else `media` beside `sqlitePath`.
    public func folder(sqlitePath: String) -> String {
        dir ?? URL(fileURLWithPath: sqlitePath).deletingLastPathComponent().appendingPathComponent("media").path
    }

    static let keys: Set<String> = ["dir", "max_bytes", "types"]

    static func read(_ section: YAMLReader?, file: String, resolve: (String) -> String) throws -> MediaSettings {
        var settings = MediaSettings()
        guard let section else { return settings }
        if let dir = try section.optionalString("dir") { settings.dir = resolve(dir) }
        settings.policy.maxBytes = try section.int("max_bytes", default: settings.policy.maxBytes, range: 1024...(256 << 20))
        if let types = try section.stringList("types") {
            let bare = types.map(MediaPolicy.bareType)
            guard !bare.isEmpty, bare.allSatisfy({ $0.split(separator: "/").count == 2 }) else {
                throw ConfigError(file: file, key: section.full("types"), problem: "must be a list of MIME types such as image/jpeg")
            }
            settings.policy.allowedTypes = Set(bare)
        }
        return settings
    }
}
