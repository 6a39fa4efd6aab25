import FirstaskChannels
import Foundation
import Logging
import Synchronization

/// `log.format: json`: one JSON object per line with stable keys, in this order: `time` (ISO 8601, UTC,
/// milliseconds), `level`, `label`, `message`, `metadata` (an object, keys sorted; nested values as JSON).
///
/// It writes what swift-log hands it and nothing more, so the privacy rule of the log calls holds here as in
/// text: nothing at `info` or above carries a phone number, a message body or a token.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let output: @Sendable (String) -> Void

    /// `output` receives each line, newline included; the default writes it to standard error whole.
    public init(label: String, output: @escaping @Sendable (String) -> Void = JSONLogHandler.standardError) {
        self.label = label
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let own = event.metadata { merged.merge(own) { _, new in new } }
        output(Self.line(time: Date(), level: event.level, label: label, message: "\(event.message)", metadata: merged))
    }

    /// One log line, newline included.
    static func line(time: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        "{\"time\":\(JSONText.quote(timestamp(time))),\"level\":\(JSONText.quote(level.rawValue)),"
            + "\"label\":\(JSONText.quote(label)),\"message\":\(JSONText.quote(message)),\"metadata\":\(json(.dictionary(metadata)))}\n"
    }

    static func json(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case let .string(text): JSONText.quote(text)
        case let .stringConvertible(convertible): JSONText.quote(convertible.description)
        case let .array(items): "[" + items.map(json).joined(separator: ",") + "]"
        case let .dictionary(entries):
            "{" + entries.sorted { $0.key < $1.key }.map { "\(JSONText.quote($0.key)):\(json($0.value))" }.joined(separator: ",") + "}"
        }
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!))
    }

    private static let lock = Mutex(())

    /// Writes `line` to standard error in one write, one line at a time across threads.
    public static let standardError: @Sendable (String) -> Void = { line in
        lock.withLock { _ in FileHandle.standardError.write(Data(line.utf8)) }
    }
}
