import Foundation
import Logging

/// Process-wide logging: human-readable lines on standard error, level from `LOG_LEVEL` (default `info`).
///
/// Nothing at `info` or above carries a phone number, a message body or a token; those appear only at
/// `debug` and `trace`, which operators enable on purpose.
public enum LoggingSetup {
    public static func bootstrap(level: Logger.Level? = nil) {
        let chosen = level
            ?? ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) }
            ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = chosen
            return handler
        }
    }
}
