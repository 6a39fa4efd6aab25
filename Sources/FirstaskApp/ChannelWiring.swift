import FirstaskChannels
import FirstaskCurl
import FirstaskDesk
import Foundation
import Logging
import ServiceLifecycle

/// Builds the provider channels (`kannel`, …) of a configuration: what sends, what takes webhooks, and the
/// services that poll.
enum ChannelWiring {
    struct Wired {
        var sinks: [String: any MessageSink] = [:]
        var webhooks: [String: any WebhookChannel] = [:]
        var services: [any Service] = []
        /// The channels that fetch their messages' attachments.
        var media: [String: any MediaFetching] = [:]
    }

    static func build(
        _ channels: [ProviderChannelSettings], client: CurlHTTPClient, store: any ChannelStore, intake: Intake,
        health: ChannelHealth, metrics: GatewayMetrics, logger: Logger
    ) async throws -> Wired {
        var wired = Wired()
        for settings in channels {
            var channelLogger = logger
            channelLogger[metadataKey: "channel"] = "\(settings.id)"
            switch settings {
            case let .kannel(kannel):
                let channel = KannelChannel(settings: kannel, client: client, logger: channelLogger)
                wired.sinks[kannel.id] = channel
                wired.webhooks[kannel.id] = channel
            case let .twilio(twilio):
                let channel = TwilioChannel(settings: twilio, client: client)
                wired.sinks[twilio.id] = channel
                wired.media[twilio.id] = channel
                wired.webhooks[twilio.id] = channel
            case let .telegram(telegram):
                let channel = TelegramChannel(settings: telegram, client: client)
                wired.sinks[telegram.id] = channel
                wired.media[telegram.id] = channel
                switch telegram.mode {
                case .webhook:
                    wired.webhooks[telegram.id] = channel
                case .polling:
                    var poller = InboxPoller(source: channel, store: store, deskBell: intake.deskBell, pollInterval: 1,
                                             longPolls: telegram.pollTimeout > 0, logger: channelLogger)
                    poller.intake = intake
                    poller.health = health
                    poller.metrics = metrics
                    wired.services.append(poller)
                }
            case let .wecom(wecom):
                let pullNow = Doorbell()
                let channel = WeComChannel(settings: wecom, client: client, onCallback: { pullNow.ring() })
                wired.sinks[wecom.id] = channel
                wired.media[wecom.id] = channel
                if wecom.callback != nil { wired.webhooks[wecom.id] = channel }
                var poller = InboxPoller(source: channel, store: store, deskBell: intake.deskBell, pollInterval: wecom.pollInterval,
                                         longPolls: false, logger: channelLogger)
                poller.intake = intake
                poller.health = health
                poller.metrics = metrics
                poller.wake = pullNow
                wired.services.append(poller)
            }
        }
        return wired
    }
}

extension ProviderChannelSettings {
    /// Whether the gateway polls this channel (Telegram in polling mode, WeCom); the others receive by webhook.
    var isPolled: Bool {
        switch self {
        case let .telegram(telegram): telegram.mode == .polling
        case .wecom: true
        case .kannel, .twilio: false
        }
    }
}
