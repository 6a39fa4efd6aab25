import Foundation
import Logging

/// Process-wide logging on standard error: `serve` and `check` take `log.level` and `log.format` from the
/// configuration; the other commands log text at the level they choose, or `LOG_LEVEL` (default `info`).
///
/// Nothing at `info` or above carries a phone number, a message body or a token; those appear only at
/// `debug` and `trace`, which operators enable on purpose.
public enum LoggingSetup {
    public static func bootstrap(level: Logger.Level? = nil) {
        let chosen = level
            ?? ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) }
            ?? .info
        bootstrap(LogSettings(level: chosen, format: .text))
    }

    public static func bootstrap(_ settings: LogSettings) {
        LoggingSystem.bootstrap { label in
            switch settings.format {
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = settings.level
                return handler
            case .json:
                var handler = JSONLogHandler(label: label)
                handler.logLevel = settings.level
                return handler
            }
        }
    }
}
