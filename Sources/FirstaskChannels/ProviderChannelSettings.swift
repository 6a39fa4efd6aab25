/// Settings of a provider channel (every `channels[]` type but `http-inbox`, which is `HTTPInboxSettings`).
public enum ProviderChannelSettings: Sendable, Equatable {
    case kannel(KannelSettings)
    case twilio(TwilioSettings)
    case telegram(TelegramSettings)
    case wecom(WeComSettings)

    public var id: String {
        switch self {
        case let .kannel(settings): settings.id
        case let .twilio(settings): settings.id
        case let .telegram(settings): settings.id
        case let .wecom(settings): settings.id
        }
    }

    /// The `type` of the channel in the configuration.
    public var type: String {
        switch self {
        case .kannel: "kannel"
        case .twilio: "twilio"
        case .telegram: "telegram"
        case .wecom: "wecom-kf"
        }
    }
}

/// A token-bucket rate for a channel's sends: `perSecond` on average, bursts of up to `burst`.
public struct RateLimit: Sendable, Equatable {
    public var perSecond: Double
    public var burst: Double

    public init(perSecond: Double, burst: Double? = nil) {
        self.perSecond = perSecond
        self.burst = max(1, burst ?? perSecond)
    }

    /// The providers' published limits, used when a channel sets none: `nil` is unlimited.
    /// Twilio: 1 message/s per long-code sender; Telegram: about 30 messages/s per bot; WeCom: no published
    /// per-second figure, 10/s is a conservative choice; Kannel and the HTTP inbox throttle on their side
    /// (Kannel's smsc `throughput`), so the gateway does not.
    public static func providerDefault(type: String) -> RateLimit? {
        switch type {
        case "twilio": RateLimit(perSecond: 1, burst: 1)
        case "telegram": RateLimit(perSecond: 30, burst: 30)
        case "wecom-kf": RateLimit(perSecond: 10, burst: 10)
        default: nil
        }
    }
}
