import Logging

/// A `host:port` to listen on (`http.listen`, `metrics.listen`).
public struct ListenAddress: Sendable, Equatable {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port` (port 0–65535; 0 takes a free port).
    static func parse(_ text: String, file: String, key: String) throws -> ListenAddress {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65535).contains(port), colon > text.startIndex
        else {
            throw ConfigError(file: file, key: key, problem: "must be host:port, e.g. 127.0.0.1:8080")
        }
        return ListenAddress(host: String(text[..<colon]), port: port)
    }
}

/// `log:` — how the process logs (README, "Operating"). Privacy holds in both formats: nothing at `info`
/// or above carries a phone number, a message body or a token.
public struct LogSettings: Sendable, Equatable {
    public enum Format: String, Sendable, CaseIterable {
        /// One human-readable line per event (swift-log's stream handler).
        case text
        /// One JSON object per line with the keys `time`, `level`, `label`, `message`, `metadata`.
        case json
    }

    /// `log.level`: trace, debug, info (default), notice, warning, error, critical.
    public var level: Logger.Level = .info
    /// `log.format`: text (default) or json.
    public var format: Format = .text

    public init(level: Logger.Level = .info, format: Format = .text) {
        self.level = level
        self.format = format
    }

    static func read(_ section: YAMLReader?, file: String) throws -> LogSettings {
        var settings = LogSettings()
        guard let section else { return settings }
        if let name = try section.optionalString("level") {
            guard let level = Logger.Level(rawValue: name.lowercased()) else {
                throw ConfigError(file: file, key: section.full("level"), problem:
                    "must be one of: \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            settings.level = level
        }
        if let name = try section.optionalString("format") {
            guard let format = Format(rawValue: name.lowercased()) else {
                throw ConfigError(file: file, key: section.full("format"), problem: "must be text or json")
            }
            settings.format = format
        }
        return settings
    }
}

/// `metrics:` — where `GET /metrics` is served. Unset, it is on the admin listener (`http.listen`).
/// `/metrics`, `/healthz` and `/readyz` need no token (they carry no phone number, text or token); give
/// `metrics.listen` an address only the monitoring network reaches when the admin listener is public.
public struct MetricsSettings: Sendable, Equatable {
    /// `metrics.listen`: a separate `host:port` for `/metrics` (and `/healthz`, `/readyz`); `nil` serves them on `http.listen`.
    public var listen: ListenAddress?

    public init(listen: ListenAddress? = nil) { self.listen = listen }

    static func read(_ section: YAMLReader?, file: String) throws -> MetricsSettings {
        guard let section, let listen = try section.optionalString("listen") else { return MetricsSettings() }
        return MetricsSettings(listen: try ListenAddress.parse(listen, file: file, key: section.full("listen")))
    }
}
