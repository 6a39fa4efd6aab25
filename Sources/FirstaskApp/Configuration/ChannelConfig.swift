import FirstaskChannels
import FirstaskDesk
import Foundation

/// Intake options shared by every channel.
public struct IntakeSettings: Sendable, Equatable {
    /// Per-sender flood protection (`flood.*`).
    public var flood = FloodPolicy()
    /// Whether a throttled sender gets the `resident.flood_notice` template once (`flood.notice: none` turns it off).
    public var floodNotice = true
    /// Larger webhook bodies are refused with 413 (`http.webhook_max_bytes`).
    public var webhookMaxBytes = 256 * 1024

    public init() {}
}

/// Reads the `channels[]` entries of the provider types and the intake options (`flood`, `http.webhook_max_bytes`).
/// Every key is documented in `deploy/firstask.yaml` and the README's configuration table.
enum ChannelConfig {
    static let types = ["http-inbox", "kannel", "twilio", "telegram", "wecom-kf"]

    /// Keys every channel type takes.
    static let commonKeys: Set<String> = ["id", "type", "rate_per_second", "rate_burst"]

    static let keysByType: [String: Set<String>] = [
        "kannel": ["sendsms_url", "username", "password", "from", "smsc", "dlr_url", "secret", "max_parts", "request_timeout"],
        "wecom-kf": ["corp_id", "secret", "open_kfid", "poll_interval", "max_pages", "api_base", "request_timeout", "token",
                     "encoding_aes_key", "callback_window"],
        "telegram": ["token", "mode", "poll_timeout", "limit", "webhook_secret", "api_base", "request_timeout"],
        "twilio": ["account_sid", "auth_token", "from", "messaging_service_sid", "public_url", "api_base", "request_timeout"],
    ]

    static var allowedKeys: Set<String> { keysByType.values.reduce(commonKeys) { $0.union($1) } }

    /// A key another type takes is an error on this one (a typo is never silently ignored).
    static func refuseForeignKeys(_ item: YAMLReader, allowed: Set<String>) throws {
        for key in item.node.keys.sorted() where !allowed.contains(key) {
            throw ConfigError(file: item.file, key: item.full(key), problem: "is not a key of this channel type (known: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    /// The channel's send rate: `rate_per_second` (0 = unlimited) and `rate_burst`, else the provider's default.
    static func rateLimit(_ item: YAMLReader, type: String) throws -> RateLimit? {
        guard item.has("rate_per_second") else { return RateLimit.providerDefault(type: type) }
        // A plain number reads as a duration in seconds; reuse that reader for "2" or "0.5".
        guard let perSecond = try? item.duration("rate_per_second"), perSecond <= 100_000 else {
            throw ConfigError(file: item.file, key: item.full("rate_per_second"), problem: "must be a number of messages per second (0 = unlimited)")
        }
        guard perSecond > 0 else { return nil }
        let burst = item.has("rate_burst") ? Double(try item.int("rate_burst", default: 1, range: 1...100_000)) : nil
        return RateLimit(perSecond: perSecond, burst: burst)
    }

    /// The settings of a provider channel, or `nil` for `http-inbox` (read by `GatewayConfig`).
    static func parse(_ item: YAMLReader, id: String, type: String) throws -> ProviderChannelSettings? {
        guard let keys = keysByType[type] else { return nil }
        try refuseForeignKeys(item, allowed: keys.union(commonKeys))
        switch type {
        case "kannel":
            let sendsms = try url(item, "sendsms_url")
            let dlr = try item.has("dlr_url") ? url(item, "dlr_url") : nil
            let secret = try item.optionalString("secret")
            if let secret, !secret.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) {
                throw ConfigError(file: item.file, key: item.full("secret"), problem: "may hold only letters, digits, _ and - (Kannel expands % in URLs)")
            }
            return .kannel(KannelSettings(
                id: id, sendsmsURL: sendsms, username: try item.string("username"), password: try item.string("password"),
                from: try item.optionalString("from"), smsc: try item.optionalString("smsc"), dlrURL: dlr, secret: secret,
                maxParts: try item.int("max_parts", default: 10, range: 1...255),
                requestTimeout: try item.duration("request_timeout") ?? 10))
        case "twilio":
            let from = try item.optionalString("from"), service = try item.optionalString("messaging_service_sid")
            guard from != nil || service != nil else {
                throw ConfigError(file: item.file, key: item.full("from"), problem: "is missing: set from or messaging_service_sid")
            }
            return .twilio(TwilioSettings(
                id: id, accountSID: try item.string("account_sid"), authToken: try item.string("auth_token"), from: from,
                messagingServiceSID: service, publicURL: try url(item, "public_url"),
                apiBase: try item.has("api_base") ? url(item, "api_base") : "https://api.twilio.com",
                requestTimeout: try item.duration("request_timeout") ?? 15))
        case "telegram":
            let modeName = try item.optionalString("mode") ?? "polling"
            guard let mode = TelegramSettings.Mode(rawValue: modeName) else {
                throw ConfigError(file: item.file, key: item.full("mode"), problem: "must be polling or webhook")
            }
            let secret = try item.optionalString("webhook_secret")
            if mode == .webhook {
                guard let secret, (1...256).contains(secret.count),
                      secret.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
                else {
                    throw ConfigError(file: item.file, key: item.full("webhook_secret"),
                                      problem: "is required in webhook mode: 1-256 of A-Z a-z 0-9 _ -")
                }
            }
            return .telegram(TelegramSettings(
                id: id, token: try item.string("token"), mode: mode, pollTimeout: try item.int("poll_timeout", default: 30, range: 0...600),
                limit: try item.int("limit", default: 100, range: 1...100), webhookSecret: secret,
                apiBase: try item.has("api_base") ? url(item, "api_base") : "https://api.telegram.org",
                requestTimeout: try item.duration("request_timeout") ?? 10))
        case "wecom-kf":
            return .wecom(WeComSettings(
                id: id, corpID: try item.string("corp_id"), secret: try item.string("secret"), openKfID: try item.string("open_kfid"),
                pollInterval: try item.duration("poll_interval") ?? 5, maxPagesPerPoll: try item.int("max_pages", default: 10, range: 1...1000),
                apiBase: try item.has("api_base") ? url(item, "api_base") : "https://qyapi.weixin.qq.com",
                requestTimeout: try item.duration("request_timeout") ?? 10, callback: try wecomCallback(item)))
        default:
            return nil
        }
    }

    /// The push callback of a `wecom-kf` channel: `token` and `encoding_aes_key` together (or neither: the
    /// channel only polls), `callback_window` seconds of allowed timestamp skew (default 300).
    static func wecomCallback(_ item: YAMLReader) throws -> WeComCallbackSettings? {
        let token = try item.optionalString("token"), key = try item.optionalString("encoding_aes_key")
        guard token != nil || key != nil else {
            if item.has("callback_window") {
                throw ConfigError(file: item.file, key: item.full("callback_window"), problem: "needs token and encoding_aes_key")
            }
            return nil
        }
        guard let token else { throw ConfigError(file: item.file, key: item.full("token"), problem: "is missing: encoding_aes_key needs the callback token too") }
        guard let key else { throw ConfigError(file: item.file, key: item.full("encoding_aes_key"), problem: "is missing: token needs the EncodingAESKey too") }
        // WeCom's console: the Token is up to 32 letters or digits; the EncodingAESKey 43 Base64 characters.
        guard (1...32).contains(token.count), token.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw ConfigError(file: item.file, key: item.full("token"), problem: "must be 1-32 letters or digits, as set in the WeCom console")
        }
        guard WeComCrypto.keyBytes(key) != nil else {
            throw ConfigError(file: item.file, key: item.full("encoding_aes_key"),
                              problem: "must be the 43 characters (A-Z a-z 0-9) of the EncodingAESKey from the WeCom console")
        }
        let window = try item.duration("callback_window") ?? 300
        guard (10...3600).contains(window) else {
            throw ConfigError(file: item.file, key: item.full("callback_window"), problem: "must be 10 to 3600 seconds")
        }
        return WeComCallbackSettings(token: token, encodingAESKey: key, replayWindow: window)
    }

    static func url(_ item: YAMLReader, _ key: String) throws -> String {
        let text = try item.string(key)
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw ConfigError(file: item.file, key: item.full(key), problem: "must be an http:// or https:// URL")
        }
        return text
    }

    static func intake(root: YAMLReader, http: YAMLReader?) throws -> IntakeSettings {
        var settings = IntakeSettings()
        if let http {
            settings.webhookMaxBytes = try http.int("webhook_max_bytes", default: settings.webhookMaxBytes, range: 1024...(64 << 20))
        }
        if let flood = try root.mapping("flood", allowed: ["max_per_window", "window", "notice"]) {
            settings.flood.maxPerWindow = try flood.int("max_per_window", default: settings.flood.maxPerWindow, range: 0...1_000_000)
            settings.flood.window = try flood.duration("window") ?? settings.flood.window
            if flood.has("notice") {
                let notice = try flood.optionalString("notice")
                guard notice == "none" || notice == "template" else {
                    throw ConfigError(file: flood.file, key: flood.full("notice"), problem:
                        "must be none (send nothing) or template (default); the text is resident.flood_notice in prompts/templates")
                }
                settings.floodNotice = notice == "template"
            }
        }
        return settings
    }
}
